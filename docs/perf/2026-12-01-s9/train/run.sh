#!/usr/bin/env bash
# The ninth session's training table, on this session's host (AMD EPYC, AVX2, 2 cores): the
# training code is the eighth session's; only the host changed. From the repository root:
# JAR=/path/to/frozen/rosetta-cli.jar docs/perf/2026-12-01-s9/train/run.sh
O=${O:-docs/perf/2026-12-01-s9/train} PARTS=train SPECS="${SPECS:-seed-mlp seed-mlp-adam fashion-cnn resnet-mini}" SLOW_WARMUP=300 exec docs/perf/2026-11-30-quiet/run.sh
