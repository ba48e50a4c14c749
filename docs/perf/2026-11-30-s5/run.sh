#!/usr/bin/env bash
# The side-by-side measurements of docs/performance.md's fifth quiet-host table (2026-11-30,
# fifth session: the TensorFlow conv stack channels-last): the second session's script, writing
# here, with one change of method. Every contender warms up for 300 steps a round on the conv
# nets and char-GPT (was 10): the JVM's optimising compiler runs beside the training threads for
# the first seconds (docs/performance.md, "Rosetta's first seconds"), and a training run lasts far
# longer. From the repository root; JAR as there (the runs used a frozen copy of the CLI jar).
O=${O:-docs/perf/2026-11-30-s5} SLOW_WARMUP=300 exec docs/perf/2026-11-30-quiet/run.sh
