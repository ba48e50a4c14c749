#!/usr/bin/env bash
# The eighth session's inference table after TensorFlow got a pool per session and a session per
# thread count (frozen CLI at 316bf08); otherwise as ../infer/run.sh. From the repository root.
O=${O:-docs/perf/2026-12-01-s8/infer-tf-pools} PARTS=infer SPECS="seed-mlp seed-mlp-adam fashion-cnn resnet-mini" exec docs/perf/2026-11-30-quiet/run.sh
