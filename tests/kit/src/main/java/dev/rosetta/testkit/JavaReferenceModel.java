package dev.rosetta.testkit;

import dev.rosetta.backend.InferenceModel;
import dev.rosetta.spec.CheckedSpec;
import dev.rosetta.spec.Layer;
import dev.rosetta.spec.LayerShape;
import dev.rosetta.spec.Shape;
import dev.rosetta.weights.WeightSet;
import java.util.List;

/**
 * The IR's forward pass written out in plain Java (double accumulation), as an engine-free
 * reference for every lowering's tests: if a backend or ONNX Runtime agrees with this, it
 * computes the function the IR documents. Evaluation form throughout: dropout is the identity
 * and batch norm uses the running statistics. Layers are wired by {@link CheckedSpec#walk}, one
 * sample at a time, so stacks and graphs run alike. Every layer formula of the test suites lives
 * here, once.
 */
public final class JavaReferenceModel implements InferenceModel {
  private final CheckedSpec spec;
  private final WeightSet weights;

  public JavaReferenceModel(CheckedSpec spec, WeightSet weights) {
    this.spec = spec;
    this.weights = weights;
  }

  @Override
  public float[] predict(float[] inputs, int n) {
    int inSize = (int) spec.input().size();
    int outSize = spec.outputSize();
    float[] out = new float[n * outSize];
    for (int s = 0; s < n; s++) {
      float[] sample = java.util.Arrays.copyOfRange(inputs, s * inSize, (s + 1) * inSize);
      float[] y = spec.forward(sample, (layer, ins) -> apply(layer, ins, null));
      System.arraycopy(y, 0, out, s * outSize, outSize);
    }
    return out;
  }

  /**
   * Token ids: the walk's value for the model input is unused (null); the embedding reads the
   * sample's ids. Every other layer works on the actual length, so shorter sequences run too.
   */
  @Override
  public float[] predictTokens(int[] tokens, int n, int length) {
    dev.rosetta.data.TokenRange.require(spec, tokens, n, length, "input");
    int outSize = spec.outputSize(length);
    float[] out = new float[n * outSize];
    for (int s = 0; s < n; s++) {
      int[] ids = java.util.Arrays.copyOfRange(tokens, s * length, (s + 1) * length);
      float[] y = spec.forward(null, (layer, ins) -> apply(layer, ins, ids));
      System.arraycopy(y, 0, out, s * outSize, outSize);
    }
    return out;
  }

  /**
   * One layer on one sample. {@code xs} are the values it reads ({@code add} and {@code concat}
   * read several); the single-input kinds use the first.
   */
  private float[] apply(LayerShape shape, List<float[]> xs, int[] ids) {
    Layer layer = shape.layer();
    List<Shape> ins = shape.inputs();
    Shape in = ins.get(0);
    float[] x = xs.get(0);
    return layer.accept(
        new Layer.Visitor<float[]>() {
          @Override
          public float[] dense(Layer.Dense d) {
            int fanIn = in.dim(-1);
            int rows = x.length / fanIn;
            float[] w = weights.get(d.name() + ".weight").data();
            float[] b = d.bias() ? weights.get(d.name() + ".bias").data() : null;
            float[] y = new float[rows * d.units()];
            for (int r = 0; r < rows; r++) {
              for (int o = 0; o < d.units(); o++) {
                double acc = b == null ? 0 : b[o];
                for (int k = 0; k < fanIn; k++) {
                  acc += (double) x[r * fanIn + k] * w[o * fanIn + k];
                }
                y[r * d.units() + o] = (float) acc;
              }
            }
            return y;
          }

          @Override
          public float[] relu(Layer.Relu l) {
            return map(v -> Math.max(0, v));
          }

          @Override
          public float[] sigmoid(Layer.Sigmoid l) {
            return map(v -> 1 / (1 + Math.exp(-v)));
          }

          @Override
          public float[] tanh(Layer.Tanh l) {
            return map(Math::tanh);
          }

          @Override
          public float[] softmax(Layer.Softmax l) {
            int width = in.dim(-1);
            float[] y = new float[x.length];
            for (int r = 0; r < x.length / width; r++) {
              double max = Double.NEGATIVE_INFINITY;
              for (int k = 0; k < width; k++) {
                max = Math.max(max, x[r * width + k]);
              }
              double sum = 0;
              for (int k = 0; k < width; k++) {
                sum += Math.exp(x[r * width + k] - max);
              }
              for (int k = 0; k < width; k++) {
                y[r * width + k] = (float) (Math.exp(x[r * width + k] - max) / sum);
              }
            }
            return y;
          }

          @Override
          public float[] flatten(Layer.Flatten l) {
            return x;
          }

          @Override
          public float[] dropout(Layer.Dropout l) {
            return x;
          }

          @Override
          public float[] leakyRelu(Layer.LeakyRelu l) {
            return map(v -> v >= 0 ? v : l.negativeSlope() * v);
          }

          @Override
          public float[] elu(Layer.Elu l) {
            return map(v -> v > 0 ? v : l.alpha() * Math.expm1(v));
          }

          @Override
          public float[] gelu(Layer.Gelu l) {
            return switch (l.approximate()) {
              case NONE -> map(v -> 0.5 * v * (1 + erf(v / Math.sqrt(2))));
              case TANH -> map(v -> 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v * v * v))));
            };
          }

          @Override
          public float[] silu(Layer.Silu l) {
            return map(v -> v / (1 + Math.exp(-v)));
          }

          /** Row-major data is unchanged by a reshape; only the shape bookkeeping moves. */
          @Override
          public float[] reshape(Layer.Reshape l) {
            return x;
          }

          /** The cross-correlation loop as the IR defines it: NCHW, OIHW, zero padding. */
          @Override
          public float[] conv2d(Layer.Conv2d c) {
            Shape outShape = shape.output();
            int cin = in.dim(0);
            int h = in.dim(1);
            int wd = in.dim(2);
            int oh = outShape.dim(1);
            int ow = outShape.dim(2);
            int kh = c.kernel().h();
            int kw = c.kernel().w();
            int perGroupIn = cin / c.groups();
            int perGroupOut = c.filters() / c.groups();
            int top = c.padding().top(kh, c.dilation().h());
            int left = c.padding().left(kw, c.dilation().w());
            float[] w = weights.get(c.name() + ".weight").data();
            float[] b = c.bias() ? weights.get(c.name() + ".bias").data() : null;
            float[] y = new float[c.filters() * oh * ow];
            for (int o = 0; o < c.filters(); o++) {
              int g = o / perGroupOut;
              for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                  double acc = b == null ? 0 : b[o];
                  for (int ci = 0; ci < perGroupIn; ci++) {
                    int channel = g * perGroupIn + ci;
                    for (int u = 0; u < kh; u++) {
                      int r = i * c.stride().h() - top + u * c.dilation().h();
                      if (r < 0 || r >= h) {
                        continue;
                      }
                      for (int v = 0; v < kw; v++) {
                        int q = j * c.stride().w() - left + v * c.dilation().w();
                        if (q < 0 || q >= wd) {
                          continue;
                        }
                        acc += (double) x[(channel * h + r) * wd + q] * w[((o * perGroupIn + ci) * kh + u) * kw + v];
                      }
                    }
                  }
                  y[(o * oh + i) * ow + j] = (float) acc;
                }
              }
            }
            return y;
          }

          @Override
          public float[] maxPool2d(Layer.MaxPool2d p) {
            return pool(p.kernel(), p.stride(), p.padding(), true);
          }

          @Override
          public float[] avgPool2d(Layer.AvgPool2d p) {
            return pool(p.kernel(), p.stride(), p.padding(), false);
          }

          @Override
          public float[] globalAvgPool2d(Layer.GlobalAvgPool2d l) {
            int plane = in.dim(1) * in.dim(2);
            float[] y = new float[in.dim(0)];
            for (int ch = 0; ch < y.length; ch++) {
              double acc = 0;
              for (int i = 0; i < plane; i++) {
                acc += x[ch * plane + i];
              }
              y[ch] = (float) (acc / plane);
            }
            return y;
          }

          /**
           * Evaluation form, per channel c (axis 0 of the sample; {@code plane} values each):
           * {@link #batchNormalize} with running_mean[c] and running_var[c]. The training form,
           * on the batch's statistics, is {@link BatchNormReference}.
           */
          @Override
          public float[] batchNorm(Layer.BatchNorm b) {
            float[] w = weights.get(b.name() + ".weight").data();
            float[] bias = weights.get(b.name() + ".bias").data();
            float[] mean = weights.get(b.name() + ".running_mean").data();
            float[] var = weights.get(b.name() + ".running_var").data();
            int channels = in.dim(0);
            int plane = x.length / channels;
            float[] y = new float[x.length];
            for (int c = 0; c < channels; c++) {
              for (int k = 0; k < plane; k++) {
                y[c * plane + k] = (float) batchNormalize(x[c * plane + k], mean[c], var[c], b.epsilon(), w[c], bias[c]);
              }
            }
            return y;
          }

          /**
           * Each group of the trailing {@code axes} axes ({@code size} values, contiguous in
           * row-major order) is normalised by its own mean and biased variance, then scaled and
           * shifted element-wise by weight and bias (which have the group's shape).
           */
          @Override
          public float[] layerNorm(Layer.LayerNorm l) {
            float[] w = weights.get(l.name() + ".weight").data();
            float[] bias = weights.get(l.name() + ".bias").data();
            int size = (int) l.normalizedShape(in).size();
            float[] y = new float[x.length];
            for (int g = 0; g < x.length / size; g++) {
              double sum = 0;
              for (int k = 0; k < size; k++) {
                sum += x[g * size + k];
              }
              double mean = sum / size;
              double sq = 0;
              for (int k = 0; k < size; k++) {
                double d = x[g * size + k] - mean;
                sq += d * d;
              }
              double inv = 1 / Math.sqrt(sq / size + l.epsilon());
              for (int k = 0; k < size; k++) {
                y[g * size + k] = (float) ((x[g * size + k] - mean) * inv * w[k] + bias[k]);
              }
            }
            return y;
          }

          /** Left-to-right sum of identically shaped inputs. */
          @Override
          public float[] add(Layer.Add a) {
            float[] y = new float[x.length];
            for (int k = 0; k < y.length; k++) {
              double acc = 0;
              for (float[] v : xs) {
                acc += v[k];
              }
              y[k] = (float) acc;
            }
            return y;
          }

          /**
           * Row-major concatenation along sample axis {@code a}: for each index of the axes
           * before it ({@code outer}), each input contributes its block of {@code dim(a) * inner}
           * values in turn.
           */
          @Override
          public float[] concat(Layer.Concat c) {
            int a = c.sampleAxis(in.rank());
            int inner = 1;
            for (int d = a + 1; d < in.rank(); d++) {
              inner *= in.dim(d);
            }
            int outer = 1;
            for (int d = 0; d < a; d++) {
              outer *= in.dim(d);
            }
            int total = 0;
            for (float[] v : xs) {
              total += v.length;
            }
            float[] y = new float[total];
            int pos = 0;
            for (int o = 0; o < outer; o++) {
              for (int k = 0; k < xs.size(); k++) {
                int block = ins.get(k).dim(a) * inner;
                System.arraycopy(xs.get(k), o * block, y, pos, block);
                pos += block;
              }
            }
            return y;
          }

          /** Row {@code ids[i]} of the weight for every position i. */
          @Override
          public float[] embedding(Layer.Embedding e) {
            float[] w = weights.get(e.name() + ".weight").data();
            int d = e.dim();
            float[] y = new float[ids.length * d];
            for (int i = 0; i < ids.length; i++) {
              System.arraycopy(w, ids[i] * d, y, i * d, d);
            }
            return y;
          }

          /** {@code x[i] + weight[i]} for each of the actual positions. */
          @Override
          public float[] positionEmbedding(Layer.PositionEmbedding p) {
            float[] w = weights.get(p.name() + ".weight").data();
            float[] y = new float[x.length];
            for (int i = 0; i < y.length; i++) {
              y[i] = x[i] + w[i];
            }
            return y;
          }

          /**
           * Self-attention as docs/spec.md writes it, in doubles from the float weights: the
           * projections, per head {@code softmax((q / sqrt(hd)) k^T)} (−∞ above the diagonal when
           * causal), the weighted values, the output projection.
           */
          @Override
          public float[] multiHeadAttention(Layer.MultiHeadAttention a) {
            int d = in.dim(1);
            int t = x.length / d;
            int h = a.numHeads();
            int hd = d / h;
            float[] wi = weights.get(a.name() + ".in_proj_weight").data();
            float[] bi = a.bias() ? weights.get(a.name() + ".in_proj_bias").data() : null;
            float[] wo = weights.get(a.name() + ".out_proj.weight").data();
            float[] bo = a.bias() ? weights.get(a.name() + ".out_proj.bias").data() : null;
            double[] qkv = new double[t * 3 * d];
            for (int i = 0; i < t; i++) {
              for (int o = 0; o < 3 * d; o++) {
                // The key bias is left out: it cannot change the output.
                double acc = bi == null || (o >= d && o < 2 * d) ? 0 : bi[o];
                for (int k = 0; k < d; k++) {
                  acc += (double) x[i * d + k] * wi[o * d + k];
                }
                qkv[i * 3 * d + o] = acc;
              }
            }
            double scale = 1 / Math.sqrt(hd);
            double[] o = new double[t * d];
            for (int head = 0; head < h; head++) {
              for (int i = 0; i < t; i++) {
                double[] s = new double[t];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < t; j++) {
                  if (a.causal() && j > i) {
                    s[j] = Double.NEGATIVE_INFINITY;
                    continue;
                  }
                  double acc = 0;
                  for (int c = 0; c < hd; c++) {
                    acc += qkv[i * 3 * d + head * hd + c] * scale * qkv[j * 3 * d + d + head * hd + c];
                  }
                  s[j] = acc;
                  max = Math.max(max, acc);
                }
                double sum = 0;
                for (int j = 0; j < t; j++) {
                  s[j] = Math.exp(s[j] - max);
                  sum += s[j];
                }
                for (int c = 0; c < hd; c++) {
                  double acc = 0;
                  for (int j = 0; j < t; j++) {
                    acc += s[j] / sum * qkv[j * 3 * d + 2 * d + head * hd + c];
                  }
                  o[i * d + head * hd + c] = acc;
                }
              }
            }
            float[] y = new float[t * d];
            for (int i = 0; i < t; i++) {
              for (int r = 0; r < d; r++) {
                double acc = bo == null ? 0 : bo[r];
                for (int k = 0; k < d; k++) {
                  acc += o[i * d + k] * wo[r * d + k];
                }
                y[i * d + r] = (float) acc;
              }
            }
            return y;
          }

          /** Padding never wins a max and counts as zeros in an average (count_include_pad). */
          private float[] pool(Layer.Hw k, Layer.Hw st, Layer.Hw pad, boolean max) {
            Shape o = shape.output();
            int h = in.dim(1);
            int w = in.dim(2);
            float[] y = new float[(int) o.size()];
            for (int ch = 0; ch < o.dim(0); ch++) {
              for (int i = 0; i < o.dim(1); i++) {
                for (int j = 0; j < o.dim(2); j++) {
                  double acc = max ? Double.NEGATIVE_INFINITY : 0;
                  for (int u = 0; u < k.h(); u++) {
                    for (int v = 0; v < k.w(); v++) {
                      int r = i * st.h() - pad.h() + u;
                      int q = j * st.w() - pad.w() + v;
                      if (r < 0 || r >= h || q < 0 || q >= w) {
                        continue;
                      }
                      float val = x[(ch * h + r) * w + q];
                      acc = max ? Math.max(acc, val) : acc + val;
                    }
                  }
                  y[(ch * o.dim(1) + i) * o.dim(2) + j] = (float) (max ? acc : acc / (k.h() * k.w()));
                }
              }
            }
            return y;
          }

          private float[] map(java.util.function.DoubleUnaryOperator f) {
            float[] y = new float[x.length];
            for (int i = 0; i < x.length; i++) {
              y[i] = (float) f.applyAsDouble(x[i]);
            }
            return y;
          }
        });
  }

  /**
   * Batch norm of one value, whichever statistics it uses (the running ones in evaluation, the
   * batch's in training): {@code (x - mean) / sqrt(variance + epsilon) * weight + bias}, the
   * scale {@code weight / sqrt(variance + epsilon)} taken first, in doubles.
   */
  public static double batchNormalize(double x, double mean, double variance, double epsilon, double weight, double bias) {
    return (x - mean) * (weight / Math.sqrt(variance + epsilon)) + bias;
  }

  /**
   * erf in double, which java.lang.Math lacks: the Maclaurin series where it converges without
   * cancellation (|x| < 3, terms stay below e^9), else 1 - erfc from erfc's continued fraction,
   * evaluated bottom-up. Both are accurate far beyond float precision, which is all the
   * reference needs.
   */
  public static double erf(double x) {
    double a = Math.abs(x);
    double r;
    if (a < 3) {
      double term = a;
      double sum = a;
      for (int n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
        term *= -a * a / n;
        sum += term / (2 * n + 1);
      }
      r = 2 / Math.sqrt(Math.PI) * sum;
    } else {
      // erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + ...))))).
      double f = a;
      for (int k = 120; k >= 1; k--) {
        f = a + (k / 2.0) / f;
      }
      r = 1 - Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
    }
    return x < 0 ? -r : r;
  }

  @Override
  public void close() {}
}
