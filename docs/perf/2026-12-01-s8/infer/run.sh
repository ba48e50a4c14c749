#!/usr/bin/env bash
# The eighth session's inference table: the second session's script, inference only, writing
# here, from a frozen copy of the CLI at fbe8e65 (inference's own thread rule: every core from 16
# samples a call). From the repository root; JAR as there.
O=${O:-docs/perf/2026-12-01-s8/infer} PARTS=infer SPECS="seed-mlp seed-mlp-adam fashion-cnn resnet-mini" exec docs/perf/2026-11-30-quiet/run.sh
