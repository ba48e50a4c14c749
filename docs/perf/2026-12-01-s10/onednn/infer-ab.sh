#!/usr/bin/env bash
# TensorFlow predict calls with its oneDNN ops as TensorFlow leaves them on this host and switched
# on (TF_ENABLE_ONEDNN_OPTS=1), taking turns, PredictLoop (../../2026-12-01-s8/threads/, compiled
# into /tmp/pl against the frozen CLI in $J) at the policy's thread counts; each line the last of
# three 1.5 s rounds in its own JVM after 500 warm-up calls; two passes. From the repository root.
J=${J:-/tmp/frozen-b}
for r in 1 2; do
  for cfg in "seed-mlp 1" "seed-mlp 256" "fashion-cnn 1" "fashion-cnn 256" "resnet-mini 1" "resnet-mini 256"; do
    for v in default 1; do
      line=$( ( [ $v = 1 ] && export TF_ENABLE_ONEDNN_OPTS=1; java -Xmn16m -Drounds=3 -Xmx1g -Dai.djl.offline=true -cp "/tmp/pl:$J/rosetta-cli.jar:$J/lib/*" PredictLoop examples/${cfg% *}.json tensorflow ${cfg#* } 1.5 2>/dev/null | tail -1) )
      echo "round $r $cfg TF_ENABLE_ONEDNN_OPTS=$v: $line"
    done
  done
done
