#!/usr/bin/env bash
# resnet-mini training side by side after TensorFlow's training threshold moved to 2^18 (it now
# trains resnet-mini on one thread), frozen CLI at e9bcde8; as the sixth session's training rows.
# From the repository root; JAR as in docs/perf/2026-11-30-quiet/run.sh.
O=${O:-docs/perf/2026-12-01-s8/train-resnet} PARTS=train SPECS=resnet-mini SLOW_WARMUP=300 exec docs/perf/2026-11-30-quiet/run.sh
