#!/usr/bin/env bash
# The tenth session's training table (AMD EPYC, AVX2, 2 cores), with TensorFlow's oneDNN kernels on
# (the engine's default now; bench --compare gives Keras the same). resnet-mini-train-eigen-2threads.txt
# is an earlier run, with Eigen's kernels and TensorFlow's resnet-mini on two threads (d59f042).
# From the repository root: JAR=/path/to/frozen/rosetta-cli.jar docs/perf/2026-12-01-s10/train/run.sh
O=${O:-docs/perf/2026-12-01-s10/train} PARTS=train SPECS="${SPECS:-seed-mlp seed-mlp-adam fashion-cnn resnet-mini}" SLOW_WARMUP=300 exec docs/perf/2026-11-30-quiet/run.sh
