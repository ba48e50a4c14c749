#!/usr/bin/env bash
# 20 subset epochs of resnet-mini on TensorFlow, which the per-backend thread rule moved to one
# thread (frozen CLI at e9bcde8), heap fixed, as the third session's memory.sh. From the
# repository root; JAR as there.
set -u
D=/usr/share/datasets/fashion-mnist
O=${O:-docs/perf/2026-12-01-s8/memory}
JAR=${JAR:-cli/target/rosetta-cli.jar}
R="java -Xms1g -XX:+AlwaysPreTouch -Xmx1g -Dai.djl.offline=true -jar $JAR"
$R bench examples/resnet-mini.json --backend tensorflow --data $D --train-samples 640 --epochs 20 > $O/mem20-resnet-mini-tensorflow.txt 2>&1
