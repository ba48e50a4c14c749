#!/usr/bin/env python3
"""Train a small CNN on the full Fashion-MNIST in plain PyTorch and export it to ONNX.

Usage:
    python train_fashion_cnn.py OUT_DIR [--fashion-dir DIR] [--epochs 3]

Model (NCHW input [N,1,28,28], pixels/255 as float32 in [0,1], no normalisation,
exactly what Rosetta's IDX reader produces):
    Conv2d(1,16,3,padding=1,bias=False)-BatchNorm2d(16)-ReLU-MaxPool2d(2)
    Conv2d(16,32,3,padding=1,bias=False)-BatchNorm2d(32)-ReLU-MaxPool2d(2)
    Flatten-Linear(1568,64)-ReLU-Linear(64,10)
Adam(lr=1e-3), batch 64, cross-entropy, seed fixed, torch.set_num_threads(2).

Writes to OUT_DIR:
    fashion_cnn_trained_opset17.onnx          torch.onnx.export(dynamo=False), opset 17, dynamic batch,
                                              default constant folding: BN folded into the convs
    fashion_cnn_trained_opset17_bn.onnx       same weights, do_constant_folding=False: BatchNormalization kept
    *.ref.safetensors                         F32 'input' (t10k images 0..4) and 'output' (onnxruntime)
    fashion_cnn_torch.json                    test accuracy in PyTorch and in onnxruntime over all
                                              10,000 test images, epochs, seed, timings, versions
"""
import argparse
import gzip
import hashlib
import json
import os
import platform
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 1234
BATCH = 64
LR = 1e-3


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = int.from_bytes(data[:4], "big")
    if magic == 2051:
        n, r, c = (int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(3))
        return np.frombuffer(data[16:], dtype=np.uint8).reshape(n, r, c)
    if magic == 2049:
        n = int.from_bytes(data[4:8], "big")
        return np.frombuffer(data[8:], dtype=np.uint8).reshape(n)
    raise ValueError(f"{path}: bad IDX magic {magic}")


def load(fashion_dir, split):
    x = read_idx(os.path.join(fashion_dir, f"{split}-images-idx3-ubyte.gz"))
    y = read_idx(os.path.join(fashion_dir, f"{split}-labels-idx1-ubyte.gz"))
    x = (x.astype(np.float32) / np.float32(255.0)).reshape(-1, 1, 28, 28)  # Rosetta's scaling
    return x, y.astype(np.int64)


class FashionCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.pool2 = nn.MaxPool2d(2)
        self.flatten = nn.Flatten()
        self.fc1 = nn.Linear(32 * 7 * 7, 64)
        self.fc2 = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool1(F.relu(self.bn1(self.conv1(x))))
        x = self.pool2(F.relu(self.bn2(self.conv2(x))))
        return self.fc2(F.relu(self.fc1(self.flatten(x))))


ROSETTA_LAYERS_BN = [
    {"type": "conv2d", "filters": 16, "kernel": [3, 3], "padding": [1, 1], "bias": False},
    {"type": "batch_norm", "epsilon": 1e-5},
    {"type": "relu"},
    {"type": "max_pool2d", "kernel": [2, 2]},
    {"type": "conv2d", "filters": 32, "kernel": [3, 3], "padding": [1, 1], "bias": False},
    {"type": "batch_norm", "epsilon": 1e-5},
    {"type": "relu"},
    {"type": "max_pool2d", "kernel": [2, 2]},
    {"type": "flatten"},
    {"type": "dense", "units": 64},
    {"type": "relu"},
    {"type": "dense", "units": 10},
]
ROSETTA_LAYERS_FOLDED = [dict(l, bias=True) if l["type"] == "conv2d" else l
                         for l in ROSETTA_LAYERS_BN if l["type"] != "batch_norm"]


def accuracy_torch(model, x, y):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), 1000):
            pred = model(torch.from_numpy(x[i:i + 1000])).argmax(1).numpy()
            correct += int((pred == y[i:i + 1000]).sum())
    return correct / len(x), correct


def logits_torch(model, x):
    with torch.no_grad():
        return np.concatenate([model(torch.from_numpy(x[i:i + 1000])).numpy() for i in range(0, len(x), 1000)])


def ort_logits(path, x):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 2
    sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    name = sess.get_inputs()[0].name
    return np.concatenate([sess.run(None, {name: x[i:i + 1000]})[0] for i in range(0, len(x), 1000)]), name


def sha256(p):
    return hashlib.sha256(Path(p).read_bytes()).hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--fashion-dir", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--epochs", type=int, default=3)
    args = ap.parse_args()
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)

    torch.set_num_threads(2)
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.use_deterministic_algorithms(True)

    xtr, ytr = load(args.fashion_dir, "train")
    xte, yte = load(args.fashion_dir, "t10k")
    model = FashionCNN()
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    gen = torch.Generator().manual_seed(SEED)
    xtr_t, ytr_t = torch.from_numpy(xtr), torch.from_numpy(ytr)

    t0 = time.time()
    history = []
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(xtr), generator=gen)
        total, n = 0.0, 0
        te = time.time()
        for i in range(0, len(perm), BATCH):
            idx = perm[i:i + BATCH]
            xb, yb = xtr_t[idx], ytr_t[idx]
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
            n += len(idx)
        acc, _ = accuracy_torch(model, xte, yte)
        history.append({"epoch": epoch + 1, "train_loss": total / n, "test_accuracy_torch": acc,
                        "seconds": round(time.time() - te, 1)})
        print(history[-1], flush=True)
    train_seconds = time.time() - t0

    model.eval()
    acc_torch, correct_torch = accuracy_torch(model, xte, yte)
    torch_logits = logits_torch(model, xte)

    import onnx
    import onnxruntime
    from safetensors.numpy import save_file
    files = []
    for keep_bn in (False, True):
        name = "fashion_cnn_trained_opset17" + ("_bn" if keep_bn else "")
        path = out / f"{name}.onnx"
        kw = {"do_constant_folding": False} if keep_bn else {}
        torch.onnx.export(model, (torch.from_numpy(xte[:2]),), str(path), dynamo=False, opset_version=17,
                          input_names=["input"], output_names=["output"],
                          dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}}, **kw)
        logits, in_name = ort_logits(path, xte)
        pred = logits.argmax(1)
        correct = int((pred == yte).sum())
        ref_in = np.ascontiguousarray(xte[:5])
        ref_out = np.ascontiguousarray(logits[:5].astype(np.float32))
        ref_path = out / f"{name}.ref.safetensors"
        save_file({"input": ref_in, "output": ref_out}, str(ref_path),
                  metadata={"source": f"onnxruntime CPUExecutionProvider run of {path.name}; graph inputs: {in_name}"})
        ops = [n.op_type for n in onnx.load(str(path)).graph.node]
        files.append({
            "file": path.name,
            "ref_file": ref_path.name,
            "producer": "torch.onnx opset 17",
            "export_call": f"torch {torch.__version__} torch.onnx.export(dynamo=False), opset_version=17, dynamic_axes batch"
                           + (", do_constant_folding=False" if keep_bn else " (default do_constant_folding=True)"),
            "module": "FashionCNN (trained): Conv2d(1,16,3,p1,bias=False)-BatchNorm2d(16)-ReLU-MaxPool2d(2)-Conv2d(16,32,3,p1,bias=False)-BatchNorm2d(32)-ReLU-MaxPool2d(2)-Flatten-Linear(1568,64)-ReLU-Linear(64,10)",
            "bn_folded": not keep_bn,
            "ops": ops,
            "rosetta_layers": ROSETTA_LAYERS_BN if keep_bn else ROSETTA_LAYERS_FOLDED,
            "notes": (["do_constant_folding=False keeps BatchNormalization; the convs have no bias input (bias=False)"] if keep_bn else
                      ["default export folds BN into the convs, which therefore gain a bias initialiser"]) +
                     ["trained weights; see fashion_cnn_torch.json for accuracies"],
            "test_accuracy_onnxruntime": correct / len(yte),
            "test_correct_onnxruntime": correct,
            "predictions_differing_from_torch": int((pred != torch_logits.argmax(1)).sum()),
            "max_abs_logit_diff_vs_torch": float(np.max(np.abs(logits - torch_logits))),
            "size_bytes": path.stat().st_size,
            "sha256": sha256(path),
        })
        print(files[-1]["file"], files[-1]["test_accuracy_onnxruntime"], files[-1]["max_abs_logit_diff_vs_torch"], flush=True)

    result = {
        "model": "FashionCNN",
        "dataset": "Fashion-MNIST, full: 60,000 train / 10,000 test (IDX gz), pixels/255 as float32, no normalisation",
        "fashion_dir": args.fashion_dir,
        "seed": SEED,
        "epochs": args.epochs,
        "batch_size": BATCH,
        "optimizer": {"type": "adam", "learning_rate": LR, "betas": [0.9, 0.999], "eps": 1e-8},
        "loss": "cross_entropy",
        "shuffle": "torch.randperm per epoch from torch.Generator().manual_seed(seed); last batch 32 samples",
        "threads": torch.get_num_threads(),
        "deterministic_algorithms": True,
        "train_seconds": round(train_seconds, 1),
        "history": history,
        "test_accuracy_torch": acc_torch,
        "test_correct_torch": correct_torch,
        "test_accuracy_onnxruntime": {f["file"]: f["test_accuracy_onnxruntime"] for f in files},
        "test_count": int(len(yte)),
        "onnx_files": files,
        "versions": {"torch": torch.__version__, "onnx": onnx.__version__, "onnxruntime": onnxruntime.__version__,
                     "numpy": np.__version__, "python": platform.python_version()},
    }
    (out / "fashion_cnn_torch.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: result[k] for k in ("test_accuracy_torch", "test_accuracy_onnxruntime", "train_seconds")}))


if __name__ == "__main__":
    main()
