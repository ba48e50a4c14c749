#!/usr/bin/env bash
# Training at a fixed 1 and 2 intra-op threads, taking turns, each run its own JVM (a frozen CLI:
# JAR=/path/rosetta-cli.jar), two passes. From the repository root.
set -u
D=/usr/share/datasets/fashion-mnist
JAR=${JAR:-cli/target/rosetta-cli.jar}
# The configurations as arguments ("backend spec" each), by default the four below.
if [ $# -gt 0 ]; then CFGS=("$@"); else CFGS=("tensorflow resnet-mini" "pytorch resnet-mini" "tensorflow fashion-cnn" "pytorch fashion-cnn"); fi
for pass in 1 2; do
  for cfg in "${CFGS[@]}"; do
    set -- $cfg
    for t in 1 2; do
      line=$(java -Xmx1g -Dai.djl.offline=true -jar $JAR bench examples/$2.json --backend $1 --threads $t --data $D --warmup 100 --steps 400 2>/dev/null | grep -i 'samples/s' | head -1)
      echo "pass $pass $1 $2 threads $t: $line"
    done
  done
done
