#!/usr/bin/env bash
# 20 subset epochs of every example, heap fixed, as docs/perf/2026-11-30-s3/memory.sh runs them (the
# same subsets: 6,400 samples for the MLPs, 640 for the conv nets, char-GPT 30-step epochs of
# /usr/share/common-licenses), with a short throughput part first (50 steps) since only the epochs
# matter here. From the repository root: JAR=/path/rosetta-cli.jar [BACKENDS=...] docs/perf/2026-12-01-s10/memory/run.sh
set -u
D=/usr/share/datasets/fashion-mnist
O=${O:-docs/perf/2026-12-01-s10/memory}
JAR=${JAR:-cli/target/rosetta-cli.jar}
R="java -Xms1g -XX:+AlwaysPreTouch -Xmx1g -Dai.djl.offline=true -jar $JAR"
BACKENDS=${BACKENDS:-pytorch tensorflow}
SUFFIX=${SUFFIX:-}
for s in seed-mlp seed-mlp-adam fashion-cnn resnet-mini; do
  N=6400; case $s in fashion-cnn|resnet-mini) N=640;; esac
  for b in $BACKENDS; do
    $R bench examples/$s.json --backend $b --data $D --train-samples $N --steps 50 --warmup 5 --epochs 20 > $O/mem20-$s-$b$SUFFIX.txt 2>&1
  done
done
for b in $BACKENDS; do
  $R bench examples/char-gpt.json --backend $b --data /usr/share/common-licenses --steps 30 --warmup 10 --epochs 20 > $O/mem20-char-gpt-$b$SUFFIX.txt 2>&1
done
