#!/usr/bin/env bash
# The side-by-side measurements of docs/performance.md's fifth quiet-host table (2026-11-30,
# fifth session: the TensorFlow conv stack channels-last). From the repository root, run from a
# frozen copy of the CLI jar (JAR=...), so rebuilding does not disturb it. Unlike the earlier
# tables, every contender warms up for 300 steps a round on the conv nets and char-GPT (was 10):
# the JVM's optimising compiler runs beside the training threads for the first seconds
# (docs/performance.md, "Rosetta's first seconds"), and a training run lasts far longer.
set -u
D=/usr/share/datasets/fashion-mnist
O=${O:-docs/perf/2026-11-30-s5}
JAR=${JAR:-cli/target/rosetta-cli.jar}
R="java -Xmx1g -Dai.djl.offline=true -jar $JAR"
export ROSETTA_PYTHON=${ROSETTA_PYTHON:-/work/venv/bin/python}
for s in seed-mlp seed-mlp-adam fashion-cnn resnet-mini; do
  W=50; case $s in fashion-cnn|resnet-mini) W=300;; esac
  $R bench examples/$s.json --compare --data $D --rounds 3 --seconds 4 --warmup $W --json --chart $O/$s-train.png > $O/$s-train.txt 2>&1
done
$R bench examples/char-gpt.json --compare --data /usr/share/common-licenses --rounds 3 --seconds 8 --warmup 300 --torch-threads 1,2 --json > $O/char-gpt-train.txt 2>&1
for s in seed-mlp seed-mlp-adam fashion-cnn resnet-mini; do
  $R bench examples/$s.json --compare --inference --data $D --rounds 3 --seconds 4 --json --chart $O/$s-infer.png > $O/$s-infer.txt 2>&1
done
