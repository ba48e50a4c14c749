#!/usr/bin/env bash
# The measurements behind docs/performance.md (2026-11-30), in the order they ran, from the
# repository root. They were run from one frozen copy of the CLI jar (same as ./rosetta:
# java -Xmx1g -Dai.djl.offline=true -jar ...), so rebuilding did not disturb them.
set -u
D=/usr/share/datasets/fashion-mnist
O=docs/perf/2026-11-30
export ROSETTA_PYTHON=/work/venv/bin/python
for s in seed-mlp seed-mlp-adam fashion-cnn resnet-mini; do
  W=50; case $s in fashion-cnn|resnet-mini) W=10;; esac
  ./rosetta bench examples/$s.json --compare --data $D --rounds 3 --seconds 4 --warmup $W --json --chart $O/$s-train.png > $O/$s-train.txt 2>&1
done
for s in seed-mlp seed-mlp-adam fashion-cnn resnet-mini; do
  ./rosetta bench examples/$s.json --compare --inference --data $D --rounds 3 --seconds 4 --json --chart $O/$s-infer.png > $O/$s-infer.txt 2>&1
done
./rosetta bench examples/seed-mlp.json --sweep --data $D --seconds 2 --json --chart $O/sweep-seed-mlp.png > $O/sweep-seed-mlp.txt 2>&1
for s in seed-mlp seed-mlp-adam fashion-cnn resnet-mini; do   # memory, heap growing on demand (as ./rosetta runs)
  N=6400; case $s in fashion-cnn|resnet-mini) N=640;; esac
  for b in pytorch tensorflow; do
    ./rosetta bench examples/$s.json --backend $b --data $D --train-samples $N --steps 20 --warmup 5 --epochs 20 --json > $O/mem-$s-$b.txt 2>&1
  done
done
./rosetta bench examples/fashion-cnn.json --compare --data $D --rounds 3 --seconds 4 --warmup 10 --threads 1,2 --torch-threads 1,2 --json > $O/threads-fashion-cnn.txt 2>&1
./rosetta bench examples/fashion-cnn.json --sweep --data $D --batch-sizes 1,16,64,256 --widths 1,2 --seconds 3 --json --chart $O/sweep-fashion-cnn.png > $O/sweep-fashion-cnn.txt 2>&1
ROSETTA_JAVA_OPTS=-Drosetta.tensorflow.threads=2 ./rosetta bench examples/seed-mlp.json --compare --inference --data $D --rounds 3 --seconds 4 --json > $O/seed-mlp-infer-tf2.txt 2>&1
for k in a b; do
  for t in 1 2; do
    ./rosetta bench examples/seed-mlp.json --sweep --data $D --batch-sizes 64,256,1024 --widths 1 --threads $t --seconds 2 --warmup 20 --json > $O/sweep-mlp-t$t-$k.txt 2>&1
  done
done
for s in seed-mlp seed-mlp-adam fashion-cnn resnet-mini; do   # memory, heap fixed and touched up front
  N=6400; case $s in fashion-cnn|resnet-mini) N=640;; esac
  for b in pytorch tensorflow; do
    ROSETTA_JAVA_OPTS="-Xms1g -XX:+AlwaysPreTouch" ./rosetta bench examples/$s.json --backend $b --data $D --train-samples $N --steps 20 --warmup 5 --epochs 20 --json > $O/memfixed-$s-$b.txt 2>&1
  done
done
