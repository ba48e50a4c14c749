#!/usr/bin/env bash
export ROSETTA_PYTHON=/work/venv/bin/python
D=/usr/share/datasets/fashion-mnist; J=/tmp/frozen-s7d/rosetta-cli.jar
cd /work/main
for s in seed-mlp resnet-mini seed-mlp-adam; do for o in "" "-Xmn24m"; do
  echo "== $s opts '$o'"
  java -Xmx1g $o -Dai.djl.offline=true -jar $J bench examples/$s.json --compare --inference --data $D --rounds 3 --seconds 4 2>&1 | grep -v WARN | sed -n '/^contender/,$p'
done; done
