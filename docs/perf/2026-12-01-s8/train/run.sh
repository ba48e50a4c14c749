#!/usr/bin/env bash
# The eighth session's training table: the four Fashion-MNIST examples side by side, Keras and
# tf.function now at 1 and 2 threads (the best is TensorFlow's reference) and TensorFlow training
# resnet-mini on one thread, from a frozen CLI at the commit named in the outputs' README.
# From the repository root; JAR as in docs/perf/2026-11-30-quiet/run.sh.
O=${O:-docs/perf/2026-12-01-s8/train} PARTS=train SPECS="seed-mlp seed-mlp-adam fashion-cnn resnet-mini" SLOW_WARMUP=300 exec docs/perf/2026-11-30-quiet/run.sh
