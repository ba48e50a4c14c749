#!/usr/bin/env bash
# resnet-mini training, one intra-op thread on both sides: plain PyTorch 2.13 and Rosetta's
# PyTorch backend, each recorded for 20 s after 20 s of warm-up, one after the other, from the
# repository root. Then: P=$P python3 docs/perf/2026-11-30/profile_categories.py torch rosetta
set -u
D=/usr/share/datasets/fashion-mnist
P=${P:-/tmp/prof3}
JAR=${JAR:-/tmp/frozen-new/rosetta-cli.jar}
OMP_WAIT_POLICY=PASSIVE /work/venv/bin/python examples/python/plain_bench.py --framework torch --spec examples/resnet-mini.json --data $D --threads 1 --warmup-steps 20 --seconds 45 > $P/torch.log 2>&1 &
pid=$!; sleep 20
echo "torch load $(cut -d' ' -f1 /proc/loadavg)" >> $P/loads.txt
perf record -F 299 -g -p $pid -o $P/torch.data -- sleep 20 > /dev/null 2>&1
wait $pid
java -Xmx1g -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -Dai.djl.offline=true -jar $JAR bench examples/resnet-mini.json --backend pytorch --threads 1 --data $D --steps 1100 --warmup 30 > $P/rosetta.log 2>&1 &
pid=$!; sleep 20
echo "rosetta load $(cut -d' ' -f1 /proc/loadavg)" >> $P/loads.txt
perf record -F 299 -g -p $pid -o $P/rosetta.data -- sleep 20 > /dev/null 2>&1
wait $pid
echo done > $P/done
