#!/usr/bin/env bash
# perf profiles (cpu-clock: this VM has no hardware counters) of predict loops on the targets not
# met on this host. PredictLoop (../../2026-12-01-s8/threads/PredictLoop.java, compiled into /tmp/pl
# against the frozen CLI in $J) runs 500 warm-up calls and four 3 s rounds at the policy's thread
# counts; perf attaches 10 s after the JVM starts, past loading and warm-up, for 5 s, so the profile
# holds the loop alone. Writes perf-<backend>-<spec>-<batch>.txt (the loop's rounds, then the top
# libraries and symbols). Unresolved "[JIT]" addresses outside the JVM's perf map are code that
# oneDNN generated at run time (TensorFlow's matrix and convolution kernels).
# From the repository root:
#   docs/perf/2026-12-01-s10/profiles/run.sh "tensorflow seed-mlp 256" "pytorch fashion-cnn 1" ...
set -u
J=${J:-/tmp/frozen-b}
O=${O:-docs/perf/2026-12-01-s10/profiles}
for cfg in "$@"; do
  set -- $cfg
  d=/tmp/perf-$1-$2-$3; rm -rf $d; mkdir -p $d
  java -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -Xmn16m -Drounds=4 -Xmx1g -Dai.djl.offline=true \
    -cp "/tmp/pl:$J/rosetta-cli.jar:$J/lib/*" PredictLoop examples/$2.json $1 $3 3 > $d/loop.txt 2>/dev/null &
  pid=$!
  sleep 10
  perf record -q -e cpu-clock -F 4000 -p $pid -o $d/perf.data -- sleep 5 2>/dev/null
  wait $pid
  { cat $d/loop.txt; echo; echo "## by library"; perf report -i $d/perf.data --no-children --sort dso --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -12
    echo; echo "## by symbol"; perf report -i $d/perf.data --no-children --sort dso,sym --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | cut -c1-220 | head -40; } > $O/perf-$1-$2-$3.txt
done
