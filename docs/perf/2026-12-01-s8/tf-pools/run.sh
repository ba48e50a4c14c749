#!/usr/bin/env bash
# TensorFlow predict calls at 1 and 2 session threads, with per-session intra-op pools (frozen CLI in J).
cd /work/main; J=${J:-/tmp/frozen-s8c}
run() { java -Drosetta.tensorflow.threads=$4 -Xmn16m -Drounds=2 -Xmx1g -Dai.djl.offline=true -cp "/tmp/pl:$J/rosetta-cli.jar:$J/lib/*" PredictLoop examples/$2.json $1 $3 1.5 2>/dev/null | tail -1; }
for r in 1 2; do
  for cfg in "tensorflow seed-mlp 1" "tensorflow seed-mlp 16" "tensorflow seed-mlp 256" "tensorflow seed-mlp 1024" "tensorflow fashion-cnn 1" "tensorflow fashion-cnn 256" "tensorflow resnet-mini 1" "tensorflow resnet-mini 256"; do
    for t in 1 2; do echo "round $r $cfg threads $t: $(run $cfg $t)"; done
  done
done
