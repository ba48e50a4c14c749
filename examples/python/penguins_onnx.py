"""Runs an exported penguins model on raw CSV rows in Python's ONNX Runtime, with nothing from
Rosetta: the graph imputes, scales and one-hot encodes by itself. Missing numeric cells are NaN,
missing categorical cells the empty string (any of the spec's missing markers works too).

    python examples/python/penguins_onnx.py penguins.onnx examples/data/penguins.csv
"""
import csv
import json
import sys

import numpy as np
import onnxruntime as ort


def main(model_path, csv_path):
    session = ort.InferenceSession(model_path)
    meta = json.loads(session.get_modelmeta().custom_metadata_map["rosetta_preprocess"])
    numeric = [c["column"] for c in meta["numeric"]]
    categorical = [c["column"] for c in meta["categorical"]]
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    x = np.array([[float("nan") if r[c].strip() in ("", "NA") else float(r[c]) for c in numeric] for r in rows],
                 dtype=np.float32)
    cats = np.array([[r[c].strip() for c in categorical] for r in rows], dtype=object)
    logits = session.run(None, {"input": x, "categorical": cats})[0]
    predicted = [meta["classes"][i] for i in logits.argmax(axis=1)]
    right = sum(p == r[meta["label"]] for p, r in zip(predicted, rows))
    for line, (p, r) in enumerate(zip(predicted[:5], rows[:5]), start=2):
        print(f"{csv_path}:{line}: {p}  label {r[meta['label']]}")
    print(f"{right} of {len(rows)} rows right ({right / len(rows):.4f}), onnxruntime {ort.__version__}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
