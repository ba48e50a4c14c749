#!/usr/bin/env bash
# 20 subset epochs of every example on each backend, heap fixed, with the fourth session's thread
# threshold and OpenMP spin: the third session's script, writing here. From the repository root;
# JAR as there.
O=${O:-docs/perf/2026-11-30-s4} exec docs/perf/2026-11-30-s3/memory.sh
