"""Writes sklearn-fixture.json: inputs and scikit-learn's figures for ClassificationMetricsTest
and RegressionMetricsTest, an implementation independent of Rosetta's. Run once by hand (the
build never runs Python): python metrics_fixture.py > ../resources/dev/rosetta/metrics/sklearn-fixture.json
"""
import json
import sys

import numpy as np
import sklearn
from sklearn import metrics as m

rng = np.random.default_rng(13)

# Four classes; class 3 occurs in the labels but is never predicted.
n = 200
y = rng.integers(0, 4, n)
pred = np.where(rng.random(n) < 0.7, y, rng.integers(0, 3, n))
pred[pred == 3] = 0
labels = [0, 1, 2, 3]
p, r, f, s = m.precision_recall_fscore_support(y, pred, labels=labels, zero_division=0)
multi = {
    "labels": y.tolist(), "predicted": pred.tolist(),
    "accuracy": m.accuracy_score(y, pred),
    "precision": p.tolist(), "recall": r.tolist(), "f1": f.tolist(), "support": s.tolist(),
    "macro": list(m.precision_recall_fscore_support(y, pred, average="macro", zero_division=0)[:3]),
    "weighted": list(m.precision_recall_fscore_support(y, pred, average="weighted", zero_division=0)[:3]),
    "confusion": m.confusion_matrix(y, pred, labels=labels).tolist(),
}

# Two classes with tied scores (rounded to 1 decimal) for ROC AUC.
yb = rng.integers(0, 2, 150)
score = np.round(yb * 0.6 + rng.random(150) * 0.8, 1)
predb = (score > 0.7).astype(int)
binary = {
    "labels": yb.tolist(), "predicted": predb.tolist(), "score": score.tolist(),
    "roc_auc": m.roc_auc_score(yb, score),
    "f1": m.f1_score(yb, predb, average=None, zero_division=0).tolist(),
}

# One regression output, float32 values.
t = rng.normal(3, 2, 120).astype(np.float32)
o = (t + rng.normal(0, 0.7, 120)).astype(np.float32)
regression = {
    "targets": t.astype(float).tolist(), "outputs": o.astype(float).tolist(),
    "mae": m.mean_absolute_error(t.astype(np.float64), o.astype(np.float64)),
    "rmse": float(np.sqrt(m.mean_squared_error(t.astype(np.float64), o.astype(np.float64)))),
    "r2": m.r2_score(t.astype(np.float64), o.astype(np.float64)),
}

json.dump({"sklearn": sklearn.__version__, "multiclass": multi, "binary": binary, "regression": regression},
          sys.stdout)
print()
