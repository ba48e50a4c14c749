#!/usr/bin/env bash
# 20 subset epochs of every example on the TensorFlow backend, heap fixed, with the channels-last
# conv stack (the PyTorch engine did not change since perf/2026-11-30-s4/memory.sh). From the
# repository root; JAR as in run.sh.
set -u
D=/usr/share/datasets/fashion-mnist
O=${O:-docs/perf/2026-11-30-s5}
JAR=${JAR:-cli/target/rosetta-cli.jar}
R="java -Xms1g -XX:+AlwaysPreTouch -Xmx1g -Dai.djl.offline=true -jar $JAR"
for s in seed-mlp seed-mlp-adam fashion-cnn resnet-mini; do
  N=6400; case $s in fashion-cnn|resnet-mini) N=640;; esac
  $R bench examples/$s.json --backend tensorflow --data $D --train-samples $N --epochs 20 > $O/mem20-$s-tensorflow.txt 2>&1
done
$R bench examples/char-gpt.json --backend tensorflow --data /usr/share/common-licenses --steps 30 --warmup 10 --epochs 20 > $O/mem20-char-gpt-tensorflow.txt 2>&1
