#!/usr/bin/env bash
# The inference sweeps of docs/performance.md "How cost grows" (eighth session), from the
# repository root, with a frozen copy of the CLI (JAR): predict calls on each backend's inference
# face and in ONNX Runtime, batch 1 to 1024, 2 s a point after 100 warm-up calls.
set -u
O=${O:-docs/perf/2026-12-01-s8/sweep}
JAR=${JAR:-cli/target/rosetta-cli.jar}
R="java -Xmx1g -Dai.djl.offline=true -jar $JAR"
$R bench examples/seed-mlp.json --sweep --inference --widths 1,16 --batch-sizes 1,4,16,64,256,1024 --chart $O/seed-mlp-infer-sweep.png --json > $O/seed-mlp-infer-sweep.txt 2>&1
$R bench examples/fashion-cnn.json --sweep --inference --widths 1 --batch-sizes 1,4,16,64,256,1024 --chart $O/fashion-cnn-infer-sweep.png --json > $O/fashion-cnn-infer-sweep.txt 2>&1
