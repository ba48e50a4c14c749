#!/usr/bin/env bash
# The side-by-side measurements of docs/performance.md's "quiet host" table (2026-11-30, second
# session), from the repository root, run from a frozen copy of the CLI jar (so rebuilding did not
# disturb them): java -Xmx1g -Dai.djl.offline=true -jar $JAR ... is what ./rosetta runs.
set -u
D=/usr/share/datasets/fashion-mnist
O=${O:-docs/perf/2026-11-30-quiet}
JAR=${JAR:-cli/target/rosetta-cli.jar}
R="java -Xmx1g -Dai.djl.offline=true -jar $JAR"
# Warm-up steps a round for the conv nets and char-GPT (10 in this table; 300 from the fifth session's).
SLOW_WARMUP=${SLOW_WARMUP:-10}
# Which tables to run: training, inference or both.
PARTS=${PARTS:-train infer}
export ROSETTA_PYTHON=${ROSETTA_PYTHON:-/work/venv/bin/python}
# Which examples: any of the four below and char-gpt (training only).
SPECS=${SPECS:-seed-mlp seed-mlp-adam fashion-cnn resnet-mini char-gpt}
if [[ $PARTS == *train* ]]; then
for s in $SPECS; do
  case $s in
    char-gpt)
      $R bench examples/char-gpt.json --compare --data /usr/share/common-licenses --rounds 3 --seconds 8 --warmup $SLOW_WARMUP --torch-threads 1,2 --json > $O/char-gpt-train.txt 2>&1;;
    *)
      W=50; case $s in fashion-cnn|resnet-mini) W=$SLOW_WARMUP;; esac
      $R bench examples/$s.json --compare --data $D --rounds 3 --seconds 4 --warmup $W --json --chart $O/$s-train.png > $O/$s-train.txt 2>&1;;
  esac
done
fi
if [[ $PARTS == *infer* ]]; then
for s in $SPECS; do
  [[ $s == char-gpt ]] && continue
  $R bench examples/$s.json --compare --inference --data $D --rounds 3 --seconds 4 --json --chart $O/$s-infer.png > $O/$s-infer.txt 2>&1
done
fi
