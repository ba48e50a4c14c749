#!/usr/bin/env bash
# The tenth session's training rows (AMD EPYC, AVX2, 2 cores), after TensorFlow's threshold
# followed the processor (resnet-mini now trains on two TensorFlow threads here). From the
# repository root: JAR=/path/to/frozen/rosetta-cli.jar docs/perf/2026-12-01-s10/train/run.sh
O=${O:-docs/perf/2026-12-01-s10/train} PARTS=train SPECS="${SPECS:-resnet-mini}" SLOW_WARMUP=300 exec docs/perf/2026-11-30-quiet/run.sh
