#!/usr/bin/env bash
# The seventh session's inference table: the second session's script, inference only, writing
# here, from a frozen copy of the CLI at 439577e (TfSessionRunner, PyTorch's kept input array, and
# ONNX Runtime measured directly through its own Java API).
# From the repository root; JAR as there.
O=${O:-docs/perf/2026-11-30-s7/infer} PARTS=infer SPECS="seed-mlp seed-mlp-adam fashion-cnn resnet-mini" exec docs/perf/2026-11-30-quiet/run.sh
