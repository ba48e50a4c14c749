#!/usr/bin/env bash
# The ninth session's inference table: the Java contenders call predict(ByteBuffer, n) on direct
# buffers made once (frozen CLI at 25c5b9c); otherwise as the eighth session's. From the
# repository root: JAR=/path/to/frozen/rosetta-cli.jar docs/perf/2026-12-01-s9/infer/run.sh
O=${O:-docs/perf/2026-12-01-s9/infer} PARTS=infer SPECS="${SPECS:-seed-mlp seed-mlp-adam fashion-cnn resnet-mini}" exec docs/perf/2026-11-30-quiet/run.sh
