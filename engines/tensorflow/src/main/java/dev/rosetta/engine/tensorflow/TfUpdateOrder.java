package dev.rosetta.engine.tensorflow;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Operation;
import org.tensorflow.op.Op;

/**
 * Checks, when a train step is built, that every variable write of the step has the loss and
 * every gradient among its ancestors. Graph variables are read when an op runs, so a write with
 * no such dependency may land before a backward op that reads the same weight, or may not,
 * depending on the executor's order that day: a race that silently changes the numbers. Rosetta's
 * updates carry control dependencies on all gradients; this makes a graph built without them an
 * error at construction instead of a drift to chase.
 */
final class TfUpdateOrder {
  private TfUpdateOrder() {}

  /**
   * @param updates the ops a train step runs as targets
   * @param computed the loss and the gradients
   * @return the variable writes checked
   * @throws IllegalStateException naming the first write that may run before a gradient
   */
  static List<Operation> requireWritesAfter(List<Op> updates, List<Operation> computed) {
    List<Operation> writes = new ArrayList<>();
    for (Op u : updates) {
      writes.addAll(writers(u.op()));
    }
    for (Operation w : writes) {
      Set<String> ancestors = ancestors((GraphOperation) w);
      for (Operation c : computed) {
        if (!ancestors.contains(c.name())) {
          throw new IllegalStateException(
              "TensorFlow train step: the write " + w.name() + " (" + w.type() + ") may run before " + c.name()
                  + " is computed; every update must wait for the loss and all gradients");
        }
      }
    }
    return writes;
  }

  /** The variable-writing ops at or above an update op. */
  private static List<Operation> writers(Operation u) {
    List<Operation> out = new ArrayList<>();
    Deque<GraphOperation> todo = new ArrayDeque<>(List.of((GraphOperation) u));
    Set<String> seen = new HashSet<>();
    while (!todo.isEmpty()) {
      GraphOperation op = todo.pop();
      if (!seen.add(op.name())) {
        continue;
      }
      if (op.type().startsWith("Assign")) {
        out.add(op);
      }
      for (Operand<?> in : op.inputs()) {
        todo.push((GraphOperation) in.op());
      }
    }
    return out;
  }

  private static Set<String> ancestors(GraphOperation start) {
    Set<String> seen = new HashSet<>();
    Deque<GraphOperation> todo = new ArrayDeque<>();
    todo.push(start);
    while (!todo.isEmpty()) {
      GraphOperation op = todo.pop();
      for (Operand<?> in : op.inputs()) {
        if (seen.add(in.op().name())) {
          todo.push((GraphOperation) in.op());
        }
      }
      for (GraphOperation c : op.controlInputs()) {
        if (seen.add(c.name())) {
          todo.push(c);
        }
      }
    }
    return seen;
  }
}
