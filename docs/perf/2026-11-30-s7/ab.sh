#!/usr/bin/env bash
# Inference before and after a change: the same loop of predict calls (PredictLoop.java) on two
# builds in turns, one process per line, each line the last of three 2 s rounds. From the
# repository root, with two frozen copies of the CLI (cli/target/rosetta-cli.jar and lib/).
#   OLD=/tmp/frozen-a NEW=/tmp/frozen-b BACKEND=tensorflow docs/perf/2026-11-30-s7/ab.sh
set -u
OLD=${OLD:?frozen CLI folder before the change} NEW=${NEW:?frozen CLI folder after it}
BACKEND=${BACKEND:-tensorflow}
SPECS=${SPECS:-seed-mlp fashion-cnn resnet-mini}
BATCHES=${BATCHES:-1 256}
P=$(mktemp -d)
javac -d $P -cp "$NEW/rosetta-cli.jar:$NEW/lib/*" docs/perf/2026-11-30-s7/PredictLoop.java
for round in 1 2 3; do
  for spec in $SPECS; do
    for batch in $BATCHES; do
      for build in OLD NEW; do
        dir=${!build}
        echo -n "round $round $spec $build: "
        java -Xmx1g -Dai.djl.offline=true -cp "$P:$dir/rosetta-cli.jar:$dir/lib/*" PredictLoop examples/$spec.json $BACKEND $batch 2 2>/dev/null | tail -1
      done
    done
  done
done
