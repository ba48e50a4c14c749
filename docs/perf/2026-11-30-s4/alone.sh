#!/usr/bin/env bash
# --compare with Rosetta's PyTorch backend alone in the process, then with both backends, fashion-cnn; then resnet-mini and char-GPT alone
set -u
D=/usr/share/datasets/fashion-mnist
O=${O:-docs/perf/2026-11-30-s4}
JAR=${JAR:-cli/target/rosetta-cli.jar}
R="java -Xmx1g -Dai.djl.offline=true -jar $JAR"
export ROSETTA_PYTHON=${ROSETTA_PYTHON:-/work/venv/bin/python}
$R bench examples/fashion-cnn.json --compare --backend pytorch --data $D --rounds 3 --seconds 4 --warmup 10 --json > $O/alone-fashion-cnn-pytorch-1.txt 2>&1
$R bench examples/fashion-cnn.json --compare --data $D --rounds 3 --seconds 4 --warmup 10 --json > $O/alone-fashion-cnn-both.txt 2>&1
$R bench examples/fashion-cnn.json --compare --backend pytorch --data $D --rounds 3 --seconds 4 --warmup 10 --json > $O/alone-fashion-cnn-pytorch-2.txt 2>&1
$R bench examples/resnet-mini.json --compare --backend pytorch --data $D --rounds 3 --seconds 4 --warmup 10 --json > $O/alone-resnet-mini-pytorch.txt 2>&1
$R bench examples/char-gpt.json --compare --backend pytorch --data /usr/share/common-licenses --rounds 3 --seconds 8 --warmup 10 --json > $O/alone-char-gpt-pytorch.txt 2>&1
# then: char-GPT with both backends again, and resnet-mini alone after 200 warm-up steps
$R bench examples/char-gpt.json --compare --data /usr/share/common-licenses --rounds 3 --seconds 8 --warmup 10 --json > $O/alone-char-gpt-both.txt 2>&1
$R bench examples/resnet-mini.json --compare --backend pytorch --data $D --rounds 3 --seconds 4 --warmup 200 --json > $O/alone-resnet-mini-pytorch-warm200.txt 2>&1
# then: the conv nets' training tables again, both backends, 300 warm-up steps for every contender
for s in fashion-cnn resnet-mini; do
  $R bench examples/$s.json --compare --data $D --rounds 3 --seconds 4 --warmup 300 --json > $O/warm300-$s-train.txt 2>&1
done
