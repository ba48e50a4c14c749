package dev.rosetta.spec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one way every consumer walks a spec's layers: in order, each given the values of the
 * layers (or the model input) it reads. Shape inference, the lowerings and the reference
 * models all go through here, so a stack and a graph are executed alike everywhere.
 */
public final class Graph {
  private Graph() {}

  /** Computes one layer's value from the values it reads, in the order of its inputs. */
  @FunctionalInterface
  public interface Step<T> {
    T apply(int index, Layer layer, List<T> inputs);
  }

  /**
   * Applies {@code step} to every layer of a validated spec and returns each layer's value, by
   * layer index; the model output is the last.
   */
  public static <T> List<T> walk(ModelSpec spec, T input, Step<T> step) {
    Map<String, T> values = new HashMap<>();
    values.put(ModelSpec.INPUT, input);
    List<T> out = new ArrayList<>(spec.layers().size());
    for (int i = 0; i < spec.layers().size(); i++) {
      Layer layer = spec.layers().get(i);
      List<T> args = new ArrayList<>();
      for (String name : spec.inputsOf(i)) {
        T v = values.get(name);
        if (v == null) {
          throw new IllegalStateException(
              "layer '" + layer.name() + "' reads '" + name + "', which has no value yet; validate the spec first");
        }
        args.add(v);
      }
      T value = step.apply(i, layer, args);
      values.put(layer.name(), value);
      out.add(value);
    }
    return out;
  }

  /** The last layer's value: the model output. */
  public static <T> T output(ModelSpec spec, T input, Step<T> step) {
    List<T> all = walk(spec, input, step);
    return all.isEmpty() ? input : all.get(all.size() - 1);
  }
}
