#!/usr/bin/env bash
# char-GPT training beside plain PyTorch (tokens/s), as the sixth session's row; from the
# repository root, JAR as in docs/perf/2026-11-30-quiet/run.sh.
O=${O:-docs/perf/2026-12-01-s8/train} PARTS=train SPECS=char-gpt SLOW_WARMUP=300 exec docs/perf/2026-11-30-quiet/run.sh
