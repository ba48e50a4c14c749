#!/usr/bin/env bash
set -u
D=/usr/share/datasets/fashion-mnist
P=/tmp/perf2/prof
cd /work/wt-perf
for k in a b; do
  # plain torch 2.13, 2 threads
  OMP_WAIT_POLICY=PASSIVE /work/venv/bin/python examples/python/plain_bench.py --framework torch --spec examples/fashion-cnn.json --data $D --threads 2 --warmup-steps 20 --seconds 40 > $P/torch-$k.log 2>&1 &
  pid=$!; sleep 14
  echo "torch $k load $(cut -d' ' -f1 /proc/loadavg)" >> $P/loads.txt
  perf record -F 299 -g -p $pid -o $P/torch-$k.data -- sleep 15 > /dev/null 2>&1
  wait $pid
  # Rosetta PyTorch backend, 2 threads (the policy)
  java -Xmx1g -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -Dai.djl.offline=true -jar /tmp/perf2/cli/rosetta-cli.jar bench examples/fashion-cnn.json --backend pytorch --data $D --steps 800 --warmup 30 > $P/rosetta-$k.log 2>&1 &
  pid=$!; sleep 14
  echo "rosetta $k load $(cut -d' ' -f1 /proc/loadavg)" >> $P/loads.txt
  perf record -F 299 -g -p $pid -o $P/rosetta-$k.data -- sleep 15 > /dev/null 2>&1
  wait $pid
done
echo done > $P/done
