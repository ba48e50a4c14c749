package dev.rosetta.engine.tensorflow;

import dev.rosetta.spec.Layer;
import dev.rosetta.spec.LayerShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * The batch_norm layer as TensorFlow graph ops: evaluation on the running statistics, training
 * on batch statistics with PyTorch's precision, and the running-statistic writes of a step.
 */
final class TfBatchNorm {
  private TfBatchNorm() {}

  /** The name of the op that marks a training-mode image batch norm for its gradient. */
  static final String GRADIENT_MARKER = "batch_norm_gradient";

  /**
   * One batch_norm layer's statistics in a training pass: per-channel mean {@code [C]}, sum of
   * squared deviations {@code [C]} and values per channel n (a scalar: batch times H times W,
   * known only when the graph runs). None of them is on the loss path.
   */
  record BatchStats(
      Layer.BatchNorm layer, Operand<TFloat32> mean, Operand<TFloat32> squaredDeviations,
      Operand<TFloat32> count) {}

  /**
   * Batch norm per channel over every other axis: axis 1 of an NCHW or [N, C] activation, axis
   * 3 of a channels-last image. Written
   * in the form of PyTorch's CPU kernel (batch_norm_cpu_collect_linear_and_constant_terms):
   * per channel alpha = invstd * weight and beta = bias - mean * alpha, then y = x * alpha +
   * beta, with invstd = 1 / sqrt(var + epsilon). Training uses the batch's mean and biased
   * variance, differentiated through them (the full batch norm gradient: hand-written for
   * images, TF's own for [N, C] input), and reports the statistics for the running-stat update;
   * evaluation uses the running statistics, which it only reads.
   *
   * @param channelsLast whether the image activation is held [N, H, W, C]
   * @param stats where a training pass reports its batch statistics; null for evaluation
   */
  static Operand<TFloat32> lower(
      Ops tf, Layer.BatchNorm b, LayerShape shape, Operand<TFloat32> x, boolean channelsLast,
      Map<String, ? extends Operand<TFloat32>> vars, List<BatchStats> stats) {
    // Training: PyTorch's CPU kernel accumulates the batch statistics and the backward
    // sums (sum dy, sum dy * (x - mean)) in double over N * H * W values per channel; a
    // float32 reduction over 50,000 values drifts by ~1e-5 relative, enough to break
    // gradient parity.
    if (stats != null && shape.input().rank() == 3) {
      return imageTraining(tf, b, shape, x, channelsLast, vars, stats, TfCustomGradient.available());
    }
    Ops s = tf.withSubScope(b.name());
    int channels = shape.input().dim(0);
    if (stats == null) {
      // Per-channel vectors [C] are viewed as [C] ([N, C] or [N, H, W, C] input) or [C, 1, 1]
      // ([N, C, H, W] input) so they broadcast along the channel axis.
      Operand<TInt32> perChannel =
          s.constant(shape.input().rank() == 1 || channelsLast ? new int[] {channels} : new int[] {channels, 1, 1});
      Operand<TFloat32> invstd = TfOps.reciprocalSqrt(s, vars.get(b.name() + ".running_var"), b.epsilon());
      Operand<TFloat32> alpha = s.math.mul(invstd, vars.get(b.name() + ".weight"));
      Operand<TFloat32> beta =
          s.math.sub(vars.get(b.name() + ".bias"), s.math.mul(vars.get(b.name() + ".running_mean"), alpha));
      Operand<TFloat32> scaled = s.math.mul(x, s.reshape(alpha, perChannel));
      return tf.withName(b.name()).math.add(scaled, s.reshape(beta, perChannel));
    }
    // Vector input ([N, C]): N values per channel, so the whole normalisation runs in float64
    // (TF's gradients of these ops then reduce in float64 too) and is rounded once at the end.
    // The [C] statistics broadcast along the batch axis as they are.
    Operand<TInt32> axes = s.constant(new int[] {0});
    Operand<TFloat64> xd = s.dtypes.cast(x, TFloat64.class);
    Operand<TFloat64> mean = s.withName("batch_mean").math.mean(xd, axes);
    Operand<TFloat64> squared = s.math.square(s.math.sub(xd, mean));
    Operand<TFloat64> var = s.withName("batch_var").math.mean(squared, axes);
    // Off the loss path: only the running-stat update reads these.
    Operand<TFloat32> count =
        s.math.div(s.dtypes.cast(s.size(x), TFloat32.class), s.constant((float) channels));
    stats.add(
        new BatchStats(b, s.dtypes.cast(mean, TFloat32.class),
            s.dtypes.cast(s.sum(squared, axes), TFloat32.class), count));
    Operand<TFloat64> alpha =
        s.math.mul(TfOps.reciprocalSqrt64(s, var, b.epsilon()), s.dtypes.cast(vars.get(b.name() + ".weight"), TFloat64.class));
    Operand<TFloat64> beta =
        s.math.sub(s.dtypes.cast(vars.get(b.name() + ".bias"), TFloat64.class), s.math.mul(mean, alpha));
    Operand<TFloat64> y = s.math.add(s.math.mul(xd, alpha), beta);
    return tf.withName(b.name()).dtypes.cast(y, TFloat32.class);
  }

  /**
   * Training-mode batch norm on an image activation with the precision of PyTorch's kernel at
   * float32 cost. Every per-channel sum is taken in two stages: over each sample's H * W values
   * in float32 (a few hundred values), then over the batch in float64; PyTorch's CPU kernel
   * accumulates its forward and backward sums that way. The output is centred first, y = (x -
   * mean) * (invstd * weight) + bias. Elementwise work stays float32.
   *
   * <p>The gradient is hand-written ({@link #imageTrainingGradient}), as PyTorch's backward
   * kernel computes it: five elementwise passes and two two-stage sums, where TF's own
   * differentiation of the forward ops needs about twice as many passes. Where the hand-written
   * gradient cannot be registered ({@link TfCustomGradient#available()}), or when {@code
   * handWritten} is false, TF differentiates the forward ops: the per-channel scale, mean and
   * shift then reach the activations through an explicit per-sample broadcast ([N, C, 1, 1], or
   * [N, 1, 1, C] channels-last), so TF's gradients reduce in the same two stages (Mul/Sub/Add
   * sum over H and W, BroadcastTo over N). TF's fused kernel (FusedBatchNormV3, float32 sums)
   * put fashion-cnn's step-1 gradients 6.7e-5 from PyTorch's, outside the contract's 1e-5.
   */
  static Operand<TFloat32> imageTraining(
      Ops tf, Layer.BatchNorm b, LayerShape shape, Operand<TFloat32> x, boolean channelsLast,
      Map<String, ? extends Operand<TFloat32>> vars, List<BatchStats> stats, boolean handWritten) {
    Ops s = tf.withSubScope(b.name());
    int channels = shape.input().dim(0);
    Operand<TInt32> spatial = s.constant(TfActivation.spatialAxes(channelsLast));
    int[] sampleOfVector = channelsLast ? new int[] {1, 1, channels} : new int[] {channels, 1, 1};
    Operand<TInt32> vector = s.constant(new int[] {1, sampleOfVector[0], sampleOfVector[1], sampleOfVector[2]});
    // The per-channel [C] values as they broadcast against an activation: [1, C, 1, 1] or
    // [1, 1, 1, C], or, for TF to differentiate, materialised per sample.
    Function<Operand<TFloat32>, Operand<TFloat32>> perChannel;
    if (handWritten) {
      perChannel = v -> s.reshape(v, vector);
    } else {
      Operand<TInt32> perSample =
          s.concat(List.of(s.slice(s.shape(x), s.constant(new int[] {0}), s.constant(new int[] {1})),
              s.constant(sampleOfVector)), s.constant(0));
      perChannel = v -> s.broadcastTo(s.reshape(v, vector), perSample);
    }
    Operand<TFloat64> count = s.math.div(s.dtypes.cast(s.size(x), TFloat64.class), s.constant((double) channels));
    Operand<TFloat64> mean = s.withName("batch_mean").math.div(twoStageSum(s, x, spatial), count);
    Operand<TFloat32> centered = s.math.sub(x, perChannel.apply(s.dtypes.cast(mean, TFloat32.class)));
    Operand<TFloat64> squares = twoStageSum(s, s.math.square(centered), spatial);
    Operand<TFloat64> var = s.withName("batch_var").math.div(squares, count);
    stats.add(
        new BatchStats(b, s.dtypes.cast(mean, TFloat32.class), s.dtypes.cast(squares, TFloat32.class),
            s.dtypes.cast(count, TFloat32.class)));
    Operand<TFloat32> weight = vars.get(b.name() + ".weight");
    Operand<TFloat32> bias = vars.get(b.name() + ".bias");
    Operand<TFloat64> invstd = TfOps.reciprocalSqrt64(s, var, b.epsilon());
    Operand<TFloat32> scale = perChannel.apply(
        s.dtypes.cast(s.math.mul(invstd, s.dtypes.cast(weight, TFloat64.class)), TFloat32.class));
    Operand<TFloat32> scaled = s.math.mul(centered, scale);
    if (!handWritten) {
      return tf.withName(b.name()).math.add(scaled, perChannel.apply(bias));
    }
    Operand<TFloat32> y = s.math.add(scaled, perChannel.apply(bias));
    return tf.withName(b.name()).identity(
        TfCustomGradient.mark(s, GRADIENT_MARKER, y, List.of(x, weight, bias),
            List.of(centered, scale, invstd, count, spatial)));
  }

  /**
   * The gradient of {@link #imageTraining}'s marker, PyTorch's batch-norm backward
   * (batch_norm_cpu_backward): per channel, with n values, sum = sum(dy) and dotp = sum(dy * (x
   * - mean)), both in two stages; then dx = (dy - sum / n - (x - mean) * k) * invstd * weight
   * with k = dotp * invstd^2 / n, dweight = dotp * invstd and dbias = sum.
   *
   * <p>The marker's inputs: 0 the forward result (no gradient), 1 x, 2 weight, 3 bias, then the
   * forward values the gradient reads: 4 x - mean, 5 invstd * weight as it broadcasts
   * ([1, C, 1, 1], or [1, 1, 1, C] for a channels-last activation), 6 invstd [C] in float64,
   * 7 the count n in float64, 8 the spatial axes of the activation's layout.
   */
  static List<Operand<?>> imageTrainingGradient(Ops tf, GraphOperation marker, Output<?> dyOut) {
    Operand<TFloat32> dy = dyOut.expect(TFloat32.class);
    Operand<TFloat32> centered = marker.input(4).expect(TFloat32.class);
    Operand<TFloat32> scale = marker.input(5).expect(TFloat32.class);
    Operand<TFloat64> invstd = marker.input(6).expect(TFloat64.class);
    Operand<TFloat64> count = marker.input(7).expect(TFloat64.class);
    Operand<TInt32> spatial = marker.input(8).expect(TInt32.class);
    Operand<TInt32> vector = tf.shape(scale);
    Operand<TFloat64> sum = twoStageSum(tf, dy, spatial);
    Operand<TFloat64> dotp = twoStageSum(tf, tf.math.mul(dy, centered), spatial);
    Operand<TFloat32> gradMean = tf.reshape(tf.dtypes.cast(tf.math.div(sum, count), TFloat32.class), vector);
    Operand<TFloat32> k = tf.reshape(
        tf.dtypes.cast(tf.math.div(tf.math.mul(dotp, tf.math.square(invstd)), count), TFloat32.class), vector);
    Operand<TFloat32> dx =
        tf.math.mul(tf.math.sub(tf.math.sub(dy, gradMean), tf.math.mul(centered, k)), scale);
    Operand<TFloat32> dWeight = tf.dtypes.cast(tf.math.mul(dotp, invstd), TFloat32.class);
    Operand<TFloat32> dBias = tf.dtypes.cast(sum, TFloat32.class);
    return TfCustomGradient.inputGradients(marker, dx, dWeight, dBias);
  }

  /** A per-channel sum [C] in float64: over each sample's {@code spatial} axes in float32, then over the batch. */
  private static Operand<TFloat64> twoStageSum(Ops s, Operand<TFloat32> t, Operand<TInt32> spatial) {
    return s.sum(s.dtypes.cast(s.sum(t, spatial), TFloat64.class), s.constant(new int[] {0}));
  }

  /**
   * The running-statistic writes of one train step, PyTorch's rule with its momentum m (weight
   * of the new statistic): {@code running_mean = m * mean + (1 - m) * running_mean} and {@code
   * running_var = m * squared_deviations / (n - 1) + (1 - m) * running_var}, the unbiased
   * variance. {@code after} must carry the train step's control dependencies; the statistics
   * are those of the same step's forward pass, as they are fetched in the same run.
   */
  static List<Op> runningStatUpdates(
      Ops after, List<BatchStats> stats, Map<String, Variable<TFloat32>> vars) {
    List<Op> writes = new ArrayList<>();
    for (BatchStats b : stats) {
      String name = b.layer().name();
      Ops s = after.withSubScope(name);
      // Rounded to float32 as PyTorch's kernel does: momentum_ = (float) m, and 1 - momentum_.
      float m = (float) b.layer().momentum();
      Operand<TFloat32> keep = s.constant(1f - m);
      Operand<TFloat32> mom = s.constant(m);
      Variable<TFloat32> runningMean = vars.get(name + ".running_mean");
      Variable<TFloat32> runningVar = vars.get(name + ".running_var");
      Operand<TFloat32> unbiased =
          s.math.div(b.squaredDeviations(), s.math.sub(b.count(), s.constant(1f)));
      writes.add(
          s.withName("mean").assign(
              runningMean, s.math.add(s.math.mul(mom, b.mean()), s.math.mul(keep, runningMean))));
      writes.add(
          s.withName("var").assign(
              runningVar, s.math.add(s.math.mul(mom, unbiased), s.math.mul(keep, runningVar))));
    }
    return writes;
  }
}
