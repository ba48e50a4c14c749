package dev.rosetta.spec;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A spec that passed validation, with what validation worked out: every layer's input and
 * output shapes and parameters, the model's output shape, and the warnings. Only {@link
 * SpecValidator} makes one, so a backend, lowering or training loop that takes a {@code
 * CheckedSpec} cannot be handed an unchecked spec, and none re-infers shapes.
 */
public final class CheckedSpec {
  private final ModelSpec spec;
  private final List<LayerShape> shapes;
  private final List<ParamSpec> params;
  private final List<SpecIssue> warnings;
  /** What each layer reads, by layer index: earlier layers' indices, {@link #MODEL_INPUT} for the input. */
  private final int[][] reads;

  private static final int MODEL_INPUT = -1;

  CheckedSpec(ModelSpec spec, List<LayerShape> shapes, List<SpecIssue> warnings) {
    this.spec = Objects.requireNonNull(spec);
    this.shapes = List.copyOf(shapes);
    this.params = this.shapes.stream().flatMap(s -> s.params().stream()).toList();
    this.warnings = List.copyOf(warnings);
    this.reads = readsOf(spec);
  }

  /** Resolves each layer's input names once, so {@link #walk} looks nothing up by name. */
  private static int[][] readsOf(ModelSpec spec) {
    Map<String, Integer> earlier = new HashMap<>();
    earlier.put(ModelSpec.INPUT, MODEL_INPUT);
    int[][] reads = new int[spec.layers().size()][];
    for (int i = 0; i < reads.length; i++) {
      List<String> names = spec.inputsOf(i);
      reads[i] = new int[names.size()];
      for (int k = 0; k < names.size(); k++) {
        Integer from = earlier.get(names.get(k));
        if (from == null) {
          throw new IllegalStateException("validation passed layer " + i + " reading '" + names.get(k) + "', which is not an earlier layer");
        }
        reads[i][k] = from;
      }
      earlier.put(spec.layers().get(i).name(), i);
    }
    return reads;
  }

  /** The IR itself. */
  public ModelSpec spec() {
    return spec;
  }

  public String name() {
    return spec.name();
  }

  /** One sample's input shape, without the batch axis. */
  public Shape input() {
    return spec.input();
  }

  /** float32 features or int64 token ids. */
  public DType inputType() {
    return spec.inputType();
  }

  /** Whether the model reads int64 token ids: then {@link #input()} is {@code [max length]}. */
  public boolean takesTokens() {
    return spec.takesTokens();
  }

  /**
   * Every embedding that reads the token ids, for range checks: an id must be below each one's
   * {@code vocab_size}.
   */
  public List<Layer.Embedding> tokenReaders() {
    List<Layer.Embedding> out = new ArrayList<>();
    for (Layer l : spec.layers()) {
      if (l instanceof Layer.Embedding e) {
        out.add(e);
      }
    }
    return out;
  }

  /**
   * Whether the model takes token sequences shorter than its input length at prediction: it
   * reads token ids and every layer keeps the positions on axis 0 and works at any length
   * ({@link Layer#takesAnyLength}), so the outputs of the first t positions do not depend on
   * the length given.
   */
  public boolean takesShorterSequences() {
    if (!takesTokens()) {
      return false;
    }
    int t = input().dim(0);
    for (LayerShape s : shapes) {
      if (!s.layer().takesAnyLength(s.input()) || s.output().rank() < 1 || s.output().dim(0) != t) {
        return false;
      }
    }
    return true;
  }

  /** The first layer that needs the whole sequence, or null: what {@link #takesShorterSequences} reports. */
  public Layer fixedLengthLayer() {
    int t = input().dim(0);
    for (LayerShape s : shapes) {
      if (!s.layer().takesAnyLength(s.input()) || s.output().rank() < 1 || s.output().dim(0) != t) {
        return s.layer();
      }
    }
    return null;
  }

  /** Values per sample in the output for sequences of {@code length} tokens. */
  public int outputSize(int length) {
    return takesTokens() && length != input().dim(0) ? outputSize() / input().dim(0) * length : outputSize();
  }

  /** The layers, in spec order. */
  public List<Layer> layers() {
    return spec.layers();
  }

  /** Every layer with its shapes and parameters, in spec order. */
  public List<LayerShape> shapes() {
    return shapes;
  }

  public LayerShape shape(int index) {
    return shapes.get(index);
  }

  /** One sample's output shape: the last layer's. */
  public Shape output() {
    return shapes.isEmpty() ? spec.input() : shapes.get(shapes.size() - 1).output();
  }

  /** Values per sample in the output. */
  public int outputSize() {
    return (int) output().size();
  }

  public Loss loss() {
    return spec.loss();
  }

  public Optimizer optimizer() {
    return spec.optimizer();
  }

  public Training training() {
    return spec.training();
  }

  /** Every parameter and buffer, in layer order: the canonical weight set's names and shapes. */
  public List<ParamSpec> params() {
    return params;
  }

  /**
   * The parameters the optimizer updates, in layer order: every trainable parameter of every
   * layer that is not frozen. Buffers (running statistics) are never among them.
   */
  public List<ParamSpec> trainedParams() {
    return shapes.stream().flatMap(s -> s.trainedParams().stream()).toList();
  }

  /** The learning-rate multiplier of each of {@link #trainedParams()}, in the same order. */
  public double[] lrMultipliers() {
    return shapes.stream()
        .flatMapToDouble(s -> s.trainedParams().stream().mapToDouble(p -> s.options().lrMultiplier()))
        .toArray();
  }

  /** An L1/L2 penalty on one parameter, added to the training loss. */
  public record Penalty(String param, double l1, double l2) {}

  /** The penalties the layers' options ask for, in layer order (frozen layers included). */
  public List<Penalty> penalties() {
    return shapes.stream()
        .filter(s -> s.options().penalised())
        .map(s -> new Penalty(s.layer().name() + "." + s.layer().kernelParam(), s.options().l1(), s.options().l2()))
        .toList();
  }

  /** Trainable parameter values. */
  public long paramCount() {
    return shapes.stream().mapToLong(LayerShape::paramCount).sum();
  }

  /** Legal but suspicious: softmax before cross_entropy, unread layers. */
  public List<SpecIssue> warnings() {
    return warnings;
  }

  /** The same model with other training settings, checked again. */
  public CheckedSpec withTraining(Training t) {
    return spec.withTraining(t).check();
  }

  /** The same model with another optimizer, checked again. */
  public CheckedSpec withOptimizer(Optimizer o) {
    return spec.withOptimizer(o).check();
  }

  /** Computes one layer's value from the values it reads, in the order of its inputs. */
  @FunctionalInterface
  public interface Step<T> {
    T apply(LayerShape layer, List<T> inputs);
  }

  /**
   * The one way every consumer runs a spec: layers in order, each given the values of the
   * layers (or the model input) it reads. Shape inference, the lowerings and the reference
   * model all go through here, so a stack and a graph are executed alike everywhere.
   *
   * @return each layer's value, by layer index
   */
  public <T> List<T> walk(T input, Step<T> step) {
    List<T> out = new ArrayList<>(shapes.size());
    for (LayerShape s : shapes) {
      int[] from = reads[s.index()];
      List<T> args = new ArrayList<>(from.length);
      for (int r : from) {
        args.add(r == MODEL_INPUT ? input : out.get(r));
      }
      out.add(step.apply(s, args));
    }
    return out;
  }

  /** The last layer's value: the model output. */
  public <T> T forward(T input, Step<T> step) {
    List<T> all = walk(input, step);
    return all.isEmpty() ? input : all.get(all.size() - 1);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CheckedSpec c && spec.equals(c.spec);
  }

  @Override
  public int hashCode() {
    return spec.hashCode();
  }

  @Override
  public String toString() {
    return "CheckedSpec[" + spec.name() + "]";
  }
}
