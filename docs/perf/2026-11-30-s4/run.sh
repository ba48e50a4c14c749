#!/usr/bin/env bash
# The side-by-side measurements of docs/performance.md's fourth quiet-host table (2026-11-30,
# fourth session: libtorch's tanh GELU, OpenMP workers passive after a short spin, every core
# from 2^17 values a layer): the second session's script, writing here. From the repository
# root; JAR as there (the runs used a frozen copy of the CLI jar).
O=${O:-docs/perf/2026-11-30-s4} exec docs/perf/2026-11-30-quiet/run.sh
