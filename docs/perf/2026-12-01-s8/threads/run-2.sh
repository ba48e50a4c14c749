#!/usr/bin/env bash
cd /work/main; J=/tmp/frozen-s7d
run() { # backend spec batch threads
  prop=$([ $1 = pytorch ] && echo ai.djl.pytorch.num_threads || echo rosetta.tensorflow.threads)
  java -D$prop=$4 -Xmn16m -Drounds=3 -Xmx1g -Dai.djl.offline=true -cp "/tmp/pl:$J/rosetta-cli.jar:$J/lib/*" PredictLoop examples/$2.json $1 $3 1.5 2>/dev/null | tail -1
}
for r in 1 2; do
  for cfg in "pytorch seed-mlp 1" "pytorch seed-mlp 4" "pytorch seed-mlp 8" "pytorch resnet-mini 1" "pytorch resnet-mini 4" "pytorch fashion-cnn 4" "pytorch char-gpt 1" "tensorflow resnet-mini 256" "tensorflow fashion-cnn 256"; do
    for t in 1 2; do echo "round $r $cfg threads $t: $(run $cfg $t)"; done
  done
done
