#!/usr/bin/env bash
# 20 subset epochs of every example on the TensorFlow backend, heap fixed, with the hand-written
# batch-norm and GELU gradients (the PyTorch engine did not change since perf/2026-11-30-s4/memory.sh):
# the third session's script, writing here. From the repository root; JAR as there.
O=${O:-docs/perf/2026-11-30-s6} BACKENDS=tensorflow exec docs/perf/2026-11-30-s3/memory.sh
