#!/usr/bin/env bash
# page faults per training step, resnet-mini, one thread, torch then Rosetta PyTorch
set -u
D=/usr/share/datasets/fashion-mnist
P=/tmp/pf
JAR=${JAR:-/tmp/frozen-s3/rosetta-cli.jar}
EXTRA=${EXTRA:-}
OMP_WAIT_POLICY=PASSIVE /work/venv/bin/python examples/python/plain_bench.py --framework torch --spec examples/resnet-mini.json --data $D --threads 1 --warmup-steps 20 --seconds 35 > $P/torch.log 2>&1 &
pid=$!; sleep 15
perf stat -e page-faults,context-switches,task-clock -p $pid -o $P/torch.stat -- sleep 10
wait $pid
env $EXTRA java -Xmx1g -Dai.djl.offline=true -jar $JAR bench examples/resnet-mini.json --backend pytorch --threads 1 --data $D --steps 900 --warmup 30 > $P/rosetta.log 2>&1 &
pid=$!; sleep 15
perf stat -e page-faults,context-switches,task-clock -p $pid -o $P/rosetta.stat -- sleep 10
wait $pid
