#!/usr/bin/env bash
# The tenth session's inference table (AMD EPYC, AVX2, 2 cores), with TensorFlow's oneDNN kernels
# on; otherwise as the ninth session's. From the repository root:
# JAR=/path/to/frozen/rosetta-cli.jar docs/perf/2026-12-01-s10/infer/run.sh
O=${O:-docs/perf/2026-12-01-s10/infer} PARTS=infer SPECS="${SPECS:-seed-mlp seed-mlp-adam fashion-cnn resnet-mini}" exec docs/perf/2026-11-30-quiet/run.sh
