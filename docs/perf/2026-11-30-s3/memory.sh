#!/usr/bin/env bash
# 20 subset epochs of every example on each backend, heap fixed, with this session's glibc settings
# and thread policy (docs/performance.md "Memory over 20 epochs"); then char-GPT and 20 epochs of
# resnet-mini on the full data. From the repository root; JAR as in run.sh.
set -u
D=/usr/share/datasets/fashion-mnist
O=${O:-docs/perf/2026-11-30-s3}
JAR=${JAR:-cli/target/rosetta-cli.jar}
R="java -Xms1g -XX:+AlwaysPreTouch -Xmx1g -Dai.djl.offline=true -jar $JAR"
BACKENDS=${BACKENDS:-pytorch tensorflow}
for s in seed-mlp seed-mlp-adam fashion-cnn resnet-mini; do
  N=6400; case $s in fashion-cnn|resnet-mini) N=640;; esac
  for b in $BACKENDS; do
    $R bench examples/$s.json --backend $b --data $D --train-samples $N --epochs 20 > $O/mem20-$s-$b.txt 2>&1
  done
done
for b in $BACKENDS; do
  $R bench examples/char-gpt.json --backend $b --data /usr/share/common-licenses --steps 30 --warmup 10 --epochs 20 > $O/mem20-char-gpt-$b.txt 2>&1
done
