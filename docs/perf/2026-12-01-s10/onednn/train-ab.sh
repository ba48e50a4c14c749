#!/usr/bin/env bash
# TensorFlow training with its oneDNN ops as TensorFlow leaves them on this host and switched on
# (TF_ENABLE_ONEDNN_OPTS=1), taking turns, each run its own JVM, two passes, the thread policy's
# counts. From the repository root: JAR=/path/rosetta-cli.jar docs/perf/2026-12-01-s10/onednn/train-ab.sh
set -u
D=/usr/share/datasets/fashion-mnist
JAR=${JAR:-cli/target/rosetta-cli.jar}
for pass in 1 2; do
  for s in resnet-mini fashion-cnn; do
    for v in default 1; do
      line=$( ( [ $v = 1 ] && export TF_ENABLE_ONEDNN_OPTS=1; java -Xmx1g -Dai.djl.offline=true -jar $JAR bench examples/$s.json --backend tensorflow --data $D --warmup 100 --steps 400 2>&1 ) | grep -E 'samples/s|oneDNN' | tr '\n' ' ')
      echo "pass $pass $s TF_ENABLE_ONEDNN_OPTS=$v: $line"
    done
  done
done
