#!/usr/bin/env bash
# The side-by-side measurements of docs/performance.md's third quiet-host table (2026-11-30, third
# session): the second session's script, writing here. From the repository root; JAR as there
# (the runs used a frozen copy of the CLI jar).
O=${O:-docs/perf/2026-11-30-s3} exec docs/perf/2026-11-30-quiet/run.sh
