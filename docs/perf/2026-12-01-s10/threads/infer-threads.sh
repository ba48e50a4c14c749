#!/usr/bin/env bash
# Predict calls at fixed 1 and 2 threads in turn (PredictLoop from ../../2026-12-01-s8/threads,
# compiled into /tmp/pl against the frozen CLI in $J), two passes; each line is the last of three
# 1.5 s rounds in its own JVM after 500 warm-up calls. From the repository root.
J=${J:-/tmp/frozen-a}
run() { # backend spec batch threads
  prop=$([ $1 = pytorch ] && echo ai.djl.pytorch.num_threads || echo rosetta.tensorflow.threads)
  java -D$prop=$4 -Xmn16m -Drounds=3 -Xmx1g -Dai.djl.offline=true -cp "/tmp/pl:$J/rosetta-cli.jar:$J/lib/*" PredictLoop examples/$2.json $1 $3 1.5 2>/dev/null | tail -1
}
for r in 1 2; do
  for cfg in "tensorflow seed-mlp 256" "pytorch seed-mlp 256" "pytorch seed-mlp 1" "pytorch fashion-cnn 1" "pytorch resnet-mini 1" "tensorflow fashion-cnn 1" "tensorflow resnet-mini 1" "tensorflow fashion-cnn 64" "tensorflow resnet-mini 64"; do
    for t in 1 2; do echo "round $r $cfg threads $t: $(run $cfg $t)"; done
  done
done
