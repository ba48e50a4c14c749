#!/usr/bin/env bash
# The side-by-side training measurements of docs/performance.md's sixth-session table (2026-11-30:
# TensorFlow's hand-written batch-norm and GELU gradients): the second session's script with the
# fifth session's 300 warm-up steps, for the examples whose TensorFlow graph changed (the conv nets
# and char-GPT; the MLPs have neither layer). From the repository root; JAR as there (the runs used
# a frozen copy of the CLI jar at a5cf799).
O=${O:-docs/perf/2026-11-30-s6} SLOW_WARMUP=300 PARTS=${PARTS:-train} SPECS=${SPECS:-fashion-cnn resnet-mini char-gpt} \
  exec docs/perf/2026-11-30-quiet/run.sh
