#!/usr/bin/env bash
# The fifth session's inference table again, after the TensorFlow inference model's SavedModel
# took its weights as graph constants (c93917a): the second session's script, inference only,
# writing here. From the repository root; JAR as there (the runs used a frozen copy).
O=${O:-docs/perf/2026-11-30-s5/infer-constants} PARTS=infer exec docs/perf/2026-11-30-quiet/run.sh
