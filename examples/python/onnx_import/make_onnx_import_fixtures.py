#!/usr/bin/env python3
"""Regenerate the ONNX import fixtures for `rosetta import MODEL.onnx`.

Usage:
    python make_onnx_import_fixtures.py OUT_DIR [--fashion-dir DIR]

Every fixture is produced by a real exporter (torch.onnx TorchScript exporter,
the torch.onnx dynamo exporter, Keras 3 `model.export(format="onnx")`, which
goes through tf2onnx) or, for the refusal fixtures that no exporter emits on
purpose, by onnx.helper. Each `X.onnx` gets an `X.ref.safetensors` holding F32
tensors "input" and "output": a fixed input batch and what onnxruntime computes
for it from the .onnx file (never the framework's own output; the framework's
output is only compared against it, and the difference is recorded in the
manifest). `MANIFEST.json` is written by reading every .onnx back with `onnx`.

The trained Fashion-MNIST CNN is made by train_fashion_cnn.py, not here; if its
files are already in OUT_DIR they are inspected and listed in the manifest too.

Needs: torch (2.13.0+cpu used), onnx, onnxruntime, onnxscript, safetensors,
numpy, tensorflow-cpu + keras 3, tf2onnx (for the Keras fixtures).
Runs on CPU in about a minute.
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
import warnings
from collections import Counter
from pathlib import Path

import numpy as np

SEED = 20240601
N_REF = 5  # samples in each reference batch
DEFAULT_FASHION = "/usr/share/datasets/fashion-mnist"


# --------------------------------------------------------------------------
# data
# --------------------------------------------------------------------------
def read_idx_images(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, n, rows, cols = np.frombuffer(data[:16], dtype=">i4")
    assert magic == 2051, magic
    return np.frombuffer(data[16:], dtype=np.uint8).reshape(n, rows, cols)


def fashion_test_images(fashion_dir, count, offset=0):
    """First `count` t10k images (from `offset`), pixels/255 as float32, [N,1,28,28]."""
    imgs = read_idx_images(os.path.join(fashion_dir, "t10k-images-idx3-ubyte.gz"))
    x = imgs[offset:offset + count].astype(np.float32) / np.float32(255.0)
    return x.reshape(count, 1, 28, 28)


def fashion_train_images(fashion_dir, count):
    imgs = read_idx_images(os.path.join(fashion_dir, "train-images-idx3-ubyte.gz"))
    return (imgs[:count].astype(np.float32) / np.float32(255.0)).reshape(count, 1, 28, 28)


def normal_batch(shape, seed):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


# --------------------------------------------------------------------------
# ONNX inspection, reference outputs
# --------------------------------------------------------------------------
def _dims(value_info):
    t = value_info.type.tensor_type
    if not t.HasField("shape"):
        return None
    out = []
    for d in t.shape.dim:
        if d.HasField("dim_value"):
            out.append(int(d.dim_value))
        elif d.HasField("dim_param"):
            out.append(d.dim_param)
        else:
            out.append(None)
    return out


def _attr_value(a):
    import onnx
    v = onnx.helper.get_attribute_value(a)
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, (list, tuple)):
        return [x.decode() if isinstance(x, bytes) else x for x in v]
    if isinstance(v, onnx.TensorProto):
        arr = onnx.numpy_helper.to_array(v)
        if arr.size <= 8:
            return {"tensor": arr.tolist(), "dtype": str(arr.dtype)}
        return {"tensor_shape": list(arr.shape), "dtype": str(arr.dtype)}
    if isinstance(v, onnx.GraphProto):
        return {"graph": v.name, "nodes": [n.op_type for n in v.node]}
    if isinstance(v, float):
        return float(np.float32(v))
    return v


def describe_nodes(graph):
    import onnx
    consts = {i.name: i for i in graph.initializer}
    out = []
    for n in graph.node:
        d = {"op": n.op_type, "name": n.name, "inputs": list(n.input), "outputs": list(n.output)}
        attrs = {a.name: _attr_value(a) for a in n.attribute}
        if attrs:
            d["attrs"] = attrs
        # small integer initialiser operands (Reshape shapes, axes, Gather indices): show values
        vals = {}
        for i in n.input:
            if i in consts and consts[i].data_type in (onnx.TensorProto.INT64, onnx.TensorProto.INT32):
                arr = onnx.numpy_helper.to_array(consts[i])
                if arr.size <= 8:
                    vals[i] = arr.tolist()
        if vals:
            d["int_initializer_values"] = vals
        out.append(d)
    return out


def inspect_onnx(path):
    import onnx
    m = onnx.load(str(path), load_external_data=False)
    g = m.graph
    init_names = {i.name for i in g.initializer}
    sub_ops = []
    for n in g.node:
        for a in n.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                sub_ops.append({"node": n.name or n.op_type, "attr": a.name,
                                "ops": [x.op_type for x in a.g.node]})
    ext = [i.name for i in g.initializer if i.data_location == onnx.TensorProto.EXTERNAL]
    ext_locations = sorted({kv.value for i in g.initializer if i.data_location == onnx.TensorProto.EXTERNAL
                            for kv in i.external_data if kv.key == "location"})
    ops = [n.op_type for n in g.node]
    return {
        "producer_name": m.producer_name,
        "producer_version": m.producer_version,
        "ir_version": int(m.ir_version),
        "opset_imports": {(o.domain or "ai.onnx"): int(o.version) for o in m.opset_import},
        "opset": int(next(o.version for o in m.opset_import if o.domain in ("", "ai.onnx"))),
        "graph_inputs": [{"name": i.name, "shape": _dims(i), "elem_type": int(i.type.tensor_type.elem_type)}
                         for i in g.input if i.name not in init_names],
        "graph_outputs": [{"name": o.name, "shape": _dims(o), "elem_type": int(o.type.tensor_type.elem_type)}
                          for o in g.output],
        "ops": ops,
        "op_counts": dict(sorted(Counter(ops).items())),
        "subgraph_ops": sub_ops,
        "initializers": [{"name": i.name, "shape": [int(d) for d in i.dims], "data_type": int(i.data_type)}
                         for i in g.initializer],
        "external_data_tensors": ext,
        "external_data_locations": ext_locations,
        "nodes": describe_nodes(g),
    }


def ort_run(path, feeds):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)


def save_ref(path_onnx, ref_path, feeds):
    """Run the ONNX file in onnxruntime and store F32 input(s) + output."""
    from safetensors.numpy import save_file
    outs = ort_run(path_onnx, feeds)
    assert len(outs) == 1, "fixtures have one output"
    out = np.ascontiguousarray(outs[0].astype(np.float32))
    tensors = {}
    names = list(feeds)
    tensors["input"] = np.ascontiguousarray(feeds[names[0]].astype(np.float32))
    for extra in names[1:]:  # extra graph inputs keep their own names
        tensors[extra] = np.ascontiguousarray(feeds[extra].astype(np.float32))
    tensors["output"] = out
    # one metadata key only: safetensors writes a multi-key metadata map in random order
    save_file(tensors, str(ref_path), metadata={
        "source": f"onnxruntime CPUExecutionProvider run of {Path(path_onnx).name}; graph inputs: {','.join(names)}"})
    return out


def json_text(obj, indent=0, width=160):
    """JSON with any object/array that fits in `width` characters kept on one line."""
    flat = json.dumps(obj, ensure_ascii=False)
    if len(flat) + indent <= width or not isinstance(obj, (dict, list)) or not obj:
        return flat
    pad = " " * (indent + 1)
    if isinstance(obj, dict):
        items = [f"{pad}{json.dumps(k)}: {json_text(v, indent + 1, width)}" for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    items = [pad + json_text(v, indent + 1, width) for v in obj]
    return "[\n" + ",\n".join(items) + "\n" + " " * indent + "]"


def scrub(text, out):
    """Replace the output folder in error messages so the manifest does not depend on it."""
    for p in sorted({str(Path(out).resolve()), str(out)}, key=len, reverse=True):
        text = text.replace(p + os.sep, "").replace(p, ".")
    return text


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


# --------------------------------------------------------------------------
# torch models
# --------------------------------------------------------------------------
def torch_models():
    import torch
    import torch.nn as nn

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(784, 32)
            self.fc2 = nn.Linear(32, 16)
            self.fc3 = nn.Linear(16, 10)

        def forward(self, x):
            return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))

    class CNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
            self.bn1 = nn.BatchNorm2d(4)
            self.relu1 = nn.ReLU()
            self.pool1 = nn.MaxPool2d(2)
            self.conv2 = nn.Conv2d(4, 8, 3)
            self.bn2 = nn.BatchNorm2d(8)
            self.relu2 = nn.ReLU()
            self.pool2 = nn.AvgPool2d(2, padding=1)  # count_include_pad=True (default)
            self.flatten = nn.Flatten()
            self.fc = nn.Linear(8 * 7 * 7, 10)

        def forward(self, x):
            x = self.pool1(self.relu1(self.bn1(self.conv1(x))))
            x = self.pool2(self.relu2(self.bn2(self.conv2(x))))
            return self.fc(self.flatten(x))

    class ResBlock(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Conv2d(1, 4, 3, padding=1)
            self.stem_bn = nn.BatchNorm2d(4)
            self.stem_pool = nn.MaxPool2d(2)
            self.b_conv1 = nn.Conv2d(4, 4, 3, padding=1)
            self.b_bn1 = nn.BatchNorm2d(4)
            self.b_conv2 = nn.Conv2d(4, 4, 3, padding=1)
            self.b_bn2 = nn.BatchNorm2d(4)
            self.side = nn.Conv2d(4, 2, 1)
            self.gap = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(6, 10)

        def forward(self, x):
            s = self.stem_pool(torch.relu(self.stem_bn(self.stem(x))))
            h = torch.relu(self.b_bn1(self.b_conv1(s)))
            h = self.b_bn2(self.b_conv2(h))
            b = torch.relu(h + s)
            c = torch.cat([b, self.side(b)], dim=1)
            g = torch.flatten(self.gap(c), 1)
            return self.fc(g)

    class LnGelu(nn.Module):
        def __init__(self, approximate="none"):
            super().__init__()
            self.fc1 = nn.Linear(16, 32)
            self.ln = nn.LayerNorm(32)
            self.gelu = nn.GELU(approximate=approximate)
            self.fc2 = nn.Linear(32, 16)
            self.head = nn.Linear(16, 4)

        def forward(self, x):
            h = self.fc2(self.gelu(self.ln(self.fc1(x))))
            return self.head(h + x)

    class DropoutMLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(16, 32)
            self.relu = nn.ReLU()
            self.drop = nn.Dropout(0.3)
            self.fc2 = nn.Linear(32, 4)

        def forward(self, x):
            return self.fc2(self.drop(self.relu(self.fc1(x))))

    class Activations(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(8, 16)
            self.silu = nn.SiLU()
            self.fc2 = nn.Linear(16, 16)
            self.lrelu = nn.LeakyReLU(0.2)
            self.fc3 = nn.Linear(16, 16)
            self.elu = nn.ELU(alpha=0.7)
            self.fc4 = nn.Linear(16, 16)
            self.sigmoid = nn.Sigmoid()
            self.fc5 = nn.Linear(16, 16)
            self.tanh = nn.Tanh()
            self.fc6 = nn.Linear(16, 5)
            self.softmax = nn.Softmax(dim=1)

        def forward(self, x):
            x = self.silu(self.fc1(x))
            x = self.lrelu(self.fc2(x))
            x = self.elu(self.fc3(x))
            x = self.sigmoid(self.fc4(x))
            x = self.tanh(self.fc5(x))
            return self.softmax(self.fc6(x))

    class ReshapeNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 2, 3, padding=1)
            self.fc1 = nn.Linear(2 * 14 * 14, 8)
            self.flatten = nn.Flatten()
            self.fc2 = nn.Linear(8, 3)

        def forward(self, x):
            x = torch.max_pool2d(torch.relu(self.conv(x)), 2)
            x = x.view(x.size(0), -1)             # [N, 392]
            x = torch.relu(self.fc1(x))           # [N, 8]
            x = x.reshape(x.size(0), 2, 4)        # [N, 2, 4]
            return self.fc2(self.flatten(x))      # Flatten -> [N, 8]

    # ---- refusal models (torch-exported) ----
    class CosNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(8, 8)
            self.fc2 = nn.Linear(8, 3)

        def forward(self, x):
            return self.fc2(torch.cos(self.fc1(x)))

    class LstmNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = nn.LSTM(input_size=4, hidden_size=6, batch_first=True)
            self.fc = nn.Linear(6, 3)

        def forward(self, x):
            out, _ = self.lstm(x)
            return self.fc(out[:, -1, :])

    class SelfMatMul(nn.Module):
        """MatMul whose both operands come from the input: no weight initialiser."""
        def __init__(self):
            super().__init__()
            self.fc = nn.Linear(16, 3)

        def forward(self, x):                     # x [N, 4, 4]
            g = torch.matmul(x, x.transpose(1, 2))  # [N, 4, 4], "weights" computed from the input
            return self.fc(torch.flatten(g, 1))

    return dict(MLP=MLP, CNN=CNN, ResBlock=ResBlock, LnGelu=LnGelu, DropoutMLP=DropoutMLP,
                Activations=Activations, ReshapeNet=ReshapeNet, CosNet=CosNet, LstmNet=LstmNet,
                SelfMatMul=SelfMatMul)


def randomize_norm_params(model, seed):
    """Give BatchNorm/LayerNorm affine params and BN running stats non-trivial values."""
    import torch
    import torch.nn as nn
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm2d, nn.LayerNorm)):
                m.weight.copy_(1.0 + 0.3 * torch.randn(m.weight.shape, generator=g))
                m.bias.copy_(0.2 * torch.randn(m.bias.shape, generator=g))
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.add_(0.1 * torch.randn(m.running_mean.shape, generator=g))
                m.running_var.mul_(1.0 + 0.5 * torch.rand(m.running_var.shape, generator=g))


def warm_bn(model, batches):
    """A few training-mode forward passes so BN running stats move off 0/1."""
    import torch
    model.train()
    with torch.no_grad():
        for b in batches:
            model(torch.from_numpy(b))
    model.eval()


# --------------------------------------------------------------------------
# fixture table
# --------------------------------------------------------------------------
class Ctx:
    def __init__(self, out, fashion_dir):
        self.out = Path(out)
        self.fashion_dir = fashion_dir
        self.entries = []
        self.failures = []
        self.images5 = fashion_test_images(fashion_dir, N_REF)           # [5,1,28,28]
        self.images2 = fashion_test_images(fashion_dir, 2, offset=N_REF)  # [2,1,28,28]
        self.train_batches = [fashion_train_images(fashion_dir, 192)[i * 64:(i + 1) * 64] for i in range(3)]


def torch_export_legacy(model, example, path, opset, dynamic=True, names=True, **kw):
    import torch
    model.eval()
    kwargs = dict(dynamo=False, opset_version=opset)
    if names:
        kwargs.update(input_names=["input"], output_names=["output"])
    if dynamic:
        kwargs["dynamic_axes"] = {"input": {0: "batch"}, "output": {0: "batch"}}
    kwargs.update(kw)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        torch.onnx.export(model, (torch.from_numpy(example),), str(path), **kwargs)
    return sorted({str(x.message).split("\n")[0][:200] for x in w})


def torch_export_dynamo(model, example, path, opset=None, optimize=True):
    import torch
    model.eval()
    kw = dict(dynamo=True, input_names=["input"], output_names=["output"],
              dynamic_shapes=({0: torch.export.Dim("batch")},), optimize=optimize, verbose=False)
    if opset is not None:
        kw["opset_version"] = opset
    prog = torch.onnx.export(model, (torch.from_numpy(example),), **kw)
    prog.save(str(path))
    return []


def torch_out(model, x):
    import torch
    with torch.no_grad():
        return model(torch.from_numpy(x)).numpy()


def add_entry(ctx, name, producer, module, layout_in, layout_out, feeds, framework_out=None,
              bn_folded=None, dropout_kept=None, expected=None, notes=(), ref=True,
              export_call=None, warnings_seen=(), bn_form=None):
    path = ctx.out / f"{name}.onnx"
    info = inspect_onnx(path)
    entry = {"file": path.name}
    if ref:
        ref_path = ctx.out / f"{name}.ref.safetensors"
        onnx_out = save_ref(path, ref_path, feeds)
        entry["ref_file"] = ref_path.name
        entry["ref_input_shape"] = list(next(iter(feeds.values())).shape)
        entry["ref_output_shape"] = list(onnx_out.shape)
        if framework_out is not None:
            entry["framework_vs_onnxruntime_max_abs_diff"] = float(np.max(np.abs(framework_out - onnx_out)))
    entry.update({
        "producer": producer,
        "export_call": export_call,
        "producer_name": info["producer_name"],
        "producer_version": info["producer_version"],
        "opset": info["opset"],
        "opset_imports": info["opset_imports"],
        "ir_version": info["ir_version"],
        "inputs": [dict(i, layout=layout_in[k] if isinstance(layout_in, list) else layout_in)
                   for k, i in enumerate(info["graph_inputs"])],
        "outputs": [dict(o, layout=layout_out) for o in info["graph_outputs"]],
        "module": module,
        "ops": info["ops"],
        "op_counts": info["op_counts"],
        "bn_folded": bn_folded,
        "bn_form": bn_form if bn_form is not None else (
            None if bn_folded is None else
            "folded into the preceding Conv's weight and bias (no BN node)" if bn_folded else
            "BatchNormalization node (inference form; inputs X, scale, B, input_mean, input_var)"),
        "dropout_kept": dropout_kept,
        "expected_import": expected,
        "notes": list(notes),
        "exporter_warnings": list(warnings_seen),
        "initializers": info["initializers"],
        "nodes": info["nodes"],
    })
    if info["subgraph_ops"]:
        entry["subgraph_ops"] = info["subgraph_ops"]
    if info["external_data_tensors"]:
        entry["external_data_tensors"] = info["external_data_tensors"]
        entry["external_data_locations"] = info["external_data_locations"]
    import onnx
    try:
        onnx.checker.check_model(str(path), full_check=True)
        entry["onnx_checker_full_check"] = "ok"
    except Exception as e:  # recorded, not fatal (the missing-external-data fixture fails here)
        entry["onnx_checker_full_check"] = scrub(f"{type(e).__name__}: {str(e).strip()[:300]}", ctx.out)
    entry["size_bytes"] = path.stat().st_size
    entry["sha256"] = sha256(path)
    ctx.entries.append(entry)
    print(f"  {path.name}: {len(info['ops'])} nodes, {entry['size_bytes']} bytes, "
          f"diff={entry.get('framework_vs_onnxruntime_max_abs_diff')}", flush=True)
    return entry


# expected Rosetta layer lists (hints for the importer's tests)
def L(t, **kw):
    d = {"type": t}
    d.update(kw)
    return d


MLP_LAYERS = [L("dense", units=32), L("relu"), L("dense", units=16), L("relu"), L("dense", units=10)]


def cnn_layers(bn):
    conv1 = [L("conv2d", filters=4, kernel=[3, 3], padding=[1, 1])] + ([L("batch_norm", epsilon=1e-5)] if bn else [])
    conv2 = [L("conv2d", filters=8, kernel=[3, 3], padding=[0, 0])] + ([L("batch_norm", epsilon=1e-5)] if bn else [])
    return (conv1 + [L("relu"), L("max_pool2d", kernel=[2, 2], stride=[2, 2], padding=[0, 0])] + conv2 +
            [L("relu"), L("avg_pool2d", kernel=[2, 2], stride=[2, 2], padding=[1, 1]), L("flatten"),
             L("dense", units=10)])


def res_layers(bn):
    b = (lambda name: [L("batch_norm", name=name)]) if bn else (lambda name: [])
    conv = lambda name, f, k, p, **kw: L("conv2d", name=name, filters=f, kernel=[k, k], padding=[p, p], **kw)
    return ([conv("stem", 4, 3, 1)] + b("stem_bn") + [L("relu", name="stem_relu"),
            L("max_pool2d", name="stem_pool", kernel=[2, 2])] +
            [conv("b_conv1", 4, 3, 1)] + b("b_bn1") + [L("relu", name="b_relu1"), conv("b_conv2", 4, 3, 1)] +
            b("b_bn2") +
            [L("add", name="b_sum", inputs=["b_bn2" if bn else "b_conv2", "stem_pool"]),
             L("relu", name="b_out"),
             conv("side", 2, 1, 0, inputs=["b_out"]),
             L("concat", name="cat", inputs=["b_out", "side"], axis=0),
             L("global_avg_pool2d", name="gap"),
             L("dense", name="fc", units=10)])


def lngelu_layers(approx):
    g = L("gelu") if approx == "none" else L("gelu", approximate="tanh")
    return [L("dense", name="fc1", units=32), L("layer_norm", name="ln", axes=1, epsilon=1e-5), dict(g, name="gelu"),
            L("dense", name="fc2", units=16), L("add", name="res", inputs=["fc2", "input"]),
            L("dense", name="head", units=4)]


ACT_LAYERS = [L("dense", units=16), L("silu"), L("dense", units=16), L("leaky_relu", negative_slope=0.2),
              L("dense", units=16), L("elu", alpha=0.7), L("dense", units=16), L("sigmoid"),
              L("dense", units=16), L("tanh"), L("dense", units=5), L("softmax")]

RESHAPE_LAYERS = [L("conv2d", filters=2, kernel=[3, 3], padding=[1, 1]), L("relu"), L("max_pool2d", kernel=[2, 2]),
                  L("flatten"), L("dense", units=8), L("relu"), L("reshape", shape=[2, 4]), L("flatten"),
                  L("dense", units=3)]


def ok(layers, input_shape):
    return {"outcome": "import", "input_shape_without_batch": input_shape, "rosetta_layers": layers}


def refuse(reason):
    return {"outcome": "refuse", "reason": reason}


def make_torch_fixtures(ctx):
    import torch
    torch.set_num_threads(1)
    M = torch_models()
    ver = torch.__version__
    legacy = f"torch {ver} torch.onnx.export(dynamo=False)"
    img5 = ctx.images5
    flat5 = img5.reshape(N_REF, 784)
    vec16 = normal_batch((N_REF, 16), SEED + 16)
    vec8 = normal_batch((N_REF, 8), SEED + 8)

    def build(cls, seed, *a, **kw):
        torch.manual_seed(seed)
        return cls(*a, **kw).eval()

    # ---- 1a MLP ----
    mlp = build(M["MLP"], SEED + 1)
    for op in (13, 17):
        name = f"torch_mlp_opset{op}"
        w = torch_export_legacy(mlp, flat5[:2], ctx.out / f"{name}.onnx", op)
        add_entry(ctx, name, f"torch.onnx opset {op}", "MLP: Linear(784,32)-ReLU-Linear(32,16)-ReLU-Linear(16,10) (torch.relu)",
                  "NC [N,784] (Fashion-MNIST pixels/255, flattened row-major)", "[N,10] logits",
                  {"input": flat5}, torch_out(mlp, flat5), bn_folded=None, dropout_kept=None,
                  expected=ok(MLP_LAYERS, [784]), export_call=f"{legacy}, opset_version={op}, dynamic_axes batch",
                  warnings_seen=w,
                  notes=["Linear -> Gemm(alpha=1, beta=1, transB=1), weight initialiser [out,in] as Rosetta's dense"])

    # ---- 1b CNN, BN folded (default) and kept ----
    cnn = build(M["CNN"], SEED + 2)
    warm_bn(cnn, ctx.train_batches)
    randomize_norm_params(cnn, SEED + 3)
    for op in (13, 17):
        for keep_bn in (False, True):
            name = f"torch_cnn_opset{op}_" + ("bn" if keep_bn else "bnfolded")
            extra = {"do_constant_folding": False} if keep_bn else {}
            w = torch_export_legacy(cnn, img5[:2], ctx.out / f"{name}.onnx", op, **extra)
            call = f"{legacy}, opset_version={op}, dynamic_axes batch" + (", do_constant_folding=False" if keep_bn else " (default do_constant_folding=True)")
            notes = ["model.eval(); BN running stats from 3 training-mode batches of real Fashion-MNIST images, then perturbed"]
            if keep_bn:
                notes.append("do_constant_folding=False keeps BatchNormalization (inference form: X, scale, B, input_mean, input_var; epsilon=1e-5)")
                notes.append("BatchNormalization attribute momentum=0.9 is ONNX's convention (weight of the OLD running value) = 1 - PyTorch momentum 0.1" +
                             ("; opset 17 also writes training_mode=0" if op >= 14 else "; opset 13 has no training_mode attribute"))
            else:
                notes.append("default export (do_constant_folding=True, eval mode) folds each BatchNorm2d into the preceding Conv's weight and bias: no BatchNormalization node")
            notes.append("AvgPool2d(2, padding=1) -> AveragePool count_include_pad=1, pads [1,1,1,1]; MaxPool2d(2) -> MaxPool kernel 2 stride 2")
            add_entry(ctx, name, f"torch.onnx opset {op}",
                      "CNN: Conv2d(1,4,3,p1)-BatchNorm2d(4)-ReLU-MaxPool2d(2)-Conv2d(4,8,3)-BatchNorm2d(8)-ReLU-AvgPool2d(2,padding=1,count_include_pad=True)-Flatten-Linear(392,10)",
                      "NCHW [N,1,28,28] (pixels/255)", "[N,10] logits", {"input": img5}, torch_out(cnn, img5),
                      bn_folded=not keep_bn, expected=ok(cnn_layers(keep_bn), [1, 28, 28]), export_call=call,
                      warnings_seen=w, notes=notes)

    # ---- 1c residual block ----
    res = build(M["ResBlock"], SEED + 4)
    warm_bn(res, ctx.train_batches)
    randomize_norm_params(res, SEED + 5)
    for op, keep_bn in ((13, False), (17, False), (17, True)):
        name = f"torch_resblock_opset{op}" + ("_bn" if keep_bn else "")
        extra = {"do_constant_folding": False} if keep_bn else {}
        w = torch_export_legacy(res, img5[:2], ctx.out / f"{name}.onnx", op, **extra)
        add_entry(ctx, name, f"torch.onnx opset {op}",
                  "ResBlock: stem Conv2d(1,4,3,p1)-BN-ReLU-MaxPool2d(2); block Conv2d(4,4,3,p1)-BN-ReLU-Conv2d(4,4,3,p1)-BN, + skip (Add), ReLU; "
                  "side Conv2d(4,2,1) on the block output; torch.cat([block, side], dim=1) -> 6 ch; AdaptiveAvgPool2d(1); torch.flatten(x,1); Linear(6,10)",
                  "NCHW [N,1,28,28] (pixels/255)", "[N,10] logits", {"input": img5}, torch_out(res, img5),
                  bn_folded=not keep_bn, expected=ok(res_layers(keep_bn), [1, 28, 28]),
                  export_call=f"{legacy}, opset_version={op}, dynamic_axes batch" + (", do_constant_folding=False" if keep_bn else ""),
                  warnings_seen=w,
                  notes=["AdaptiveAvgPool2d(1) -> GlobalAveragePool; torch.flatten(x,1) -> Flatten(axis=1); torch.cat dim=1 -> Concat axis=1",
                         "the skip Add reads the stem MaxPool output and the (folded or not) second block conv"])

    # ---- 1d LayerNorm + GELU ----
    for approx in ("none", "tanh"):
        ln = build(M["LnGelu"], SEED + 6, approx)
        randomize_norm_params(ln, SEED + 7)
        tag = "" if approx == "none" else "_tanh"
        for op in (13, 17, 20):
            name = f"torch_lngelu{tag}_opset{op}"
            w = torch_export_legacy(ln, vec16[:2], ctx.out / f"{name}.onnx", op)
            if op == 13:
                n1 = "LayerNorm decomposed: ReduceMean, Sub, Pow(2), ReduceMean, Add(eps), Sqrt, Div, Mul(weight), Add(bias)"
            else:
                n1 = "LayerNorm -> LayerNormalization(axis=-1, epsilon=1e-5)"
            if op >= 20:
                n2 = f"GELU -> Gelu(approximate='{approx}')"
            elif approx == "none":
                n2 = "GELU exact -> Div(x, sqrt2=1.4142135) -> Erf -> Add(1) -> Mul(x, .) -> Mul(0.5)"
            else:
                n2 = "GELU tanh -> Mul(x,x), Mul(x,.) = x^3, Mul(0.044715), Add(x), Mul(sqrt(2/pi)=0.7978846), Tanh, Add(1), Mul(x, .), Mul(0.5)"
            add_entry(ctx, name, f"torch.onnx opset {op}",
                      f"LnGelu: h = Linear(16,32) -> LayerNorm(32) -> GELU(approximate='{approx}') -> Linear(32,16); y = Linear(16,4)(h + x)",
                      "NC [N,16] (seeded standard normal)", "[N,4]", {"input": vec16}, torch_out(ln, vec16),
                      expected=ok(lngelu_layers(approx), [16]), export_call=f"{legacy}, opset_version={op}, dynamic_axes batch",
                      warnings_seen=w, notes=[n1, n2, "residual: Add(Gemm(fc2), input)"])

    # ---- 1e dropout + activations ----
    drop = build(M["DropoutMLP"], SEED + 8)
    for op in (13, 17):
        name = f"torch_dropout_opset{op}"
        w = torch_export_legacy(drop, vec16[:2], ctx.out / f"{name}.onnx", op)
        kept = "Dropout" in inspect_onnx(ctx.out / f"{name}.onnx")["ops"] or "Identity" in inspect_onnx(ctx.out / f"{name}.onnx")["ops"]
        add_entry(ctx, name, f"torch.onnx opset {op}", "DropoutMLP: Linear(16,32)-ReLU-Dropout(0.3)-Linear(32,4), model.eval()",
                  "NC [N,16] (seeded standard normal)", "[N,4]", {"input": vec16}, torch_out(drop, vec16),
                  dropout_kept=kept, expected=ok([L("dense", units=32), L("relu"), L("dense", units=4)], [16]),
                  export_call=f"{legacy}, opset_version={op}, dynamic_axes batch", warnings_seen=w,
                  notes=["the TorchScript exporter drops nn.Dropout in eval mode: no Dropout or Identity node; the importer cannot recover the rate (Rosetta gets no dropout layer)"])
    act = build(M["Activations"], SEED + 9)
    for op in (13, 17):
        name = f"torch_activations_opset{op}"
        w = torch_export_legacy(act, vec8[:2], ctx.out / f"{name}.onnx", op)
        add_entry(ctx, name, f"torch.onnx opset {op}",
                  "Activations: Linear(8,16)-SiLU-Linear(16,16)-LeakyReLU(0.2)-Linear(16,16)-ELU(alpha=0.7)-Linear(16,16)-Sigmoid-Linear(16,16)-Tanh-Linear(16,5)-Softmax(dim=1)",
                  "NC [N,8] (seeded standard normal)", "[N,5] probabilities", {"input": vec8}, torch_out(act, vec8),
                  expected=ok(ACT_LAYERS, [8]), export_call=f"{legacy}, opset_version={op}, dynamic_axes batch", warnings_seen=w,
                  notes=["SiLU -> Sigmoid(x) then Mul(x, sigmoid) (no Swish op)", "LeakyReLU -> LeakyRelu(alpha=0.2)",
                         "ELU -> Elu(alpha=0.7)", "Softmax(dim=1) on a rank-2 tensor -> Softmax(axis=1) = last axis"])

    # ---- 1f Flatten / view / reshape ----
    rs = build(M["ReshapeNet"], SEED + 10)
    name = "torch_reshape_dynamic_opset17"
    w = torch_export_legacy(rs, img5[:2], ctx.out / f"{name}.onnx", 17)
    add_entry(ctx, name, "torch.onnx opset 17",
              "ReshapeNet: Conv2d(1,2,3,p1)-ReLU-max_pool2d(2); x.view(x.size(0),-1) [N,392]; Linear(392,8)-ReLU; x.reshape(x.size(0),2,4); nn.Flatten(); Linear(8,3)",
              "NCHW [N,1,28,28] (pixels/255)", "[N,3]", {"input": img5}, torch_out(rs, img5),
              expected=ok(RESHAPE_LAYERS, [1, 28, 28]), export_call=f"{legacy}, opset_version=17, dynamic_axes batch",
              warnings_seen=w,
              notes=["with a dynamic batch, x.size(0) becomes Shape -> Gather(indices=0) -> Unsqueeze(axes=[0]) -> Concat(with Constant [-1] or [2],[4]) -> Reshape",
                     "nn.Flatten() -> Flatten(axis=1)"])
    name = "torch_reshape_static_batch2_opset17"
    w = torch_export_legacy(rs, ctx.images2, ctx.out / f"{name}.onnx", 17, dynamic=False, names=False)
    add_entry(ctx, name, "torch.onnx opset 17 (no dynamic axes)",
              "ReshapeNet (same weights as torch_reshape_dynamic_opset17), exported with a batch of 2 and no dynamic_axes, default input/output names",
              "NCHW [2,1,28,28] fixed batch 2 (t10k images 5 and 6, pixels/255)", "[2,3]", {ctx_input_name(ctx, name): ctx.images2},
              torch_out(rs, ctx.images2),
              expected=ok(RESHAPE_LAYERS, [1, 28, 28]) | {"note": "the importer must treat the leading 2 in the Reshape shape constants as the batch axis (or refuse); the graph input itself is declared [2,1,28,28]"},
              export_call=f"{legacy}, opset_version=17, no input_names/output_names, no dynamic_axes, example batch 2",
              warnings_seen=w,
              notes=["x.view(x.size(0), -1) is constant-folded into Reshape with the int64 initialiser [2, 392]; x.reshape(x.size(0),2,4) into [2, 2, 4]: the export batch size is baked in",
                     "reference batch is 2 (the only batch this graph accepts)",
                     "no input_names/output_names given: the graph input is named after the traced value ('input'), the output gets a number as its name"])

    # ---- 2 dynamo exporter ----
    dyn = f"torch {ver} torch.onnx.export(dynamo=True)"
    for label, model, x, exp, lay in (("mlp", mlp, flat5, ok(MLP_LAYERS, [784]), "NC [N,784] (pixels/255)"),
                                      ("cnn", cnn, img5, None, "NCHW [N,1,28,28] (pixels/255)")):
        for optimize in (True, False):
            if label == "mlp" and not optimize:
                continue
            name = f"dynamo_{label}_opset18" + ("" if optimize else "_noopt")
            try:
                torch_export_dynamo(model, x[:2], ctx.out / f"{name}.onnx", opset=18, optimize=optimize)
            except Exception as e:  # record and go on
                ctx.failures.append({"fixture": name, "error": repr(e)[:2000]})
                print("  FAILED", name, repr(e)[:300])
                continue
            ops = inspect_onnx(ctx.out / f"{name}.onnx")["ops"]
            bn_kept = "BatchNormalization" in ops
            add_entry(ctx, name, "dynamo", "same module and weights as torch_mlp_opset13" if label == "mlp"
                      else "same module and weights as torch_cnn_opset13_bn (CNN with BN, AvgPool2d padding=1)",
                      lay, "[N,10] logits", {"input": x}, torch_out(model, x),
                      bn_folded=(not bn_kept) if label == "cnn" else None,
                      expected=exp if label == "mlp" else ok(cnn_layers(bn_kept), [1, 28, 28]),
                      export_call=f"{dyn}, opset_version=18, dynamic_shapes=({{0: Dim('batch')}},), optimize={optimize}",
                      notes=["dynamo exporter's native opset is 18; initialiser names are the module's state_dict keys",
                             "optimize=True (default) runs the onnxscript optimizer: BN folded into Conv, Flatten becomes Reshape with an int64 constant [-1, 392]" if optimize else
                             "optimize=False: BatchNormalization kept, Flatten spelled Shape/Squeeze.. Reshape chains and Constants; this is not what users get by default"])
    name = "dynamo_dropout_opset18_noopt"
    try:
        torch_export_dynamo(drop, vec16[:2], ctx.out / f"{name}.onnx", opset=18, optimize=False)
        ops = inspect_onnx(ctx.out / f"{name}.onnx")["ops"]
        add_entry(ctx, name, "dynamo", "same module and weights as torch_dropout_opset13 (Dropout(0.3), eval)",
                  "NC [N,16] (seeded standard normal)", "[N,4]", {"input": vec16}, torch_out(drop, vec16),
                  dropout_kept="Identity" in ops or "Dropout" in ops,
                  expected=ok([L("dense", units=32), L("relu"), L("dense", units=4)], [16]),
                  export_call=f"{dyn}, opset_version=18, dynamic_shapes batch, optimize=False",
                  notes=["eval-mode dropout survives as an Identity node only with optimize=False; the default optimize=True removes it (Gemm, Relu, Gemm)"])
    except Exception as e:
        ctx.failures.append({"fixture": name, "error": repr(e)[:2000]})

    # dynamo below opset 18: record what happens (the file is not kept)
    tmp = ctx.out / "_dynamo_opset13_probe.onnx"
    import logging
    logged = []

    class _Grab(logging.Handler):
        def emit(self, record):
            txt = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                txt += f" [{type(record.exc_info[1]).__name__}: {record.exc_info[1]}]"
            logged.append(txt)
    grab = _Grab(level=logging.WARNING)
    logging.getLogger().addHandler(grab)
    try:
        torch_export_dynamo(mlp, flat5[:2], tmp, opset=13)
        got = inspect_onnx(tmp)["opset"]
        ctx.failures.append({"fixture": "dynamo_mlp_opset13 (not kept)",
                             "error": f"torch.onnx.export(dynamo=True, opset_version=13) did not raise but returned a model whose default-domain opset is {got}: "
                                      "the version converter could not go below the exporter's native opset 18, so the model was left unconverted",
                             "logged": [x[:400] for x in logged if "onver" in x]})
    except Exception as e:
        ctx.failures.append({"fixture": "dynamo_mlp_opset13 (not kept)", "error": repr(e)[:2000]})
    finally:
        logging.getLogger().removeHandler(grab)
        if tmp.exists():
            tmp.unlink()

    # ---- 5 refusal fixtures exported from torch ----
    cos = build(M["CosNet"], SEED + 11)
    name = "refuse_cos_opset17"
    w = torch_export_legacy(cos, vec8[:2], ctx.out / f"{name}.onnx", 17)
    add_entry(ctx, name, "torch.onnx opset 17", "CosNet: Linear(8,8) -> torch.cos -> Linear(8,3)",
              "NC [N,8] (seeded standard normal)", "[N,3]", {"input": vec8}, torch_out(cos, vec8),
              expected=refuse("op Cos has no Rosetta layer"), export_call=f"{legacy}, opset_version=17, dynamic_axes batch",
              warnings_seen=w, notes=["unsupported element-wise op (Cos) between two supported Gemms"])
    lstm = build(M["LstmNet"], SEED + 12)
    seq = normal_batch((N_REF, 3, 4), SEED + 34)
    name = "refuse_lstm_opset17"
    w = torch_export_legacy(lstm, seq[:2], ctx.out / f"{name}.onnx", 17)
    add_entry(ctx, name, "torch.onnx opset 17", "LstmNet: nn.LSTM(4,6,batch_first=True) over T=3, last step -> Linear(6,3)",
              "N,T,F [N,3,4] (seeded standard normal)", "[N,3]", {"input": seq}, torch_out(lstm, seq),
              expected=refuse("op LSTM has no Rosetta layer"), export_call=f"{legacy}, opset_version=17, dynamic_axes batch",
              warnings_seen=w, notes=["recurrent layer: LSTM op plus Transpose/Squeeze/Gather plumbing"])
    smm = build(M["SelfMatMul"], SEED + 13)
    x44 = normal_batch((N_REF, 4, 4), SEED + 44)
    name = "refuse_matmul_input_by_input_opset17"
    w = torch_export_legacy(smm, x44[:2], ctx.out / f"{name}.onnx", 17)
    add_entry(ctx, name, "torch.onnx opset 17", "SelfMatMul: g = x @ x.transpose(1,2) for x [N,4,4]; flatten; Linear(16,3)",
              "N,4,4 [N,4,4] (seeded standard normal)", "[N,3]", {"input": x44}, torch_out(smm, x44),
              expected=refuse("MatMul whose second operand is computed from the input (Transpose of the input), not an initialiser: not a dense layer"),
              export_call=f"{legacy}, opset_version=17, dynamic_axes batch", warnings_seen=w,
              notes=["MatMul(input, Transpose(input, perm=[0,2,1])): no weight initialiser feeds it"])
    return mlp


# --------------------------------------------------------------------------
# hand-built refusal fixtures (onnx.helper)
# --------------------------------------------------------------------------
def make_helper_fixtures(ctx, mlp):
    import onnx
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(SEED + 100)
    vec4 = normal_batch((N_REF, 4), SEED + 4)

    # (b) Loop: x <- Relu(Gemm(x, W, b)) three times, W/b outer-scope initialisers
    W = (0.5 * rng.standard_normal((4, 4))).astype(np.float32)
    b = (0.1 * rng.standard_normal(4)).astype(np.float32)
    Wh = (0.5 * rng.standard_normal((2, 4))).astype(np.float32)
    bh = (0.1 * rng.standard_normal(2)).astype(np.float32)
    body = helper.make_graph(
        [helper.make_node("Gemm", ["x_in", "W", "b"], ["g"], name="body_gemm", transB=1),
         helper.make_node("Relu", ["g"], ["x_out"], name="body_relu"),
         helper.make_node("Identity", ["cond_in"], ["cond_out"], name="body_cond")],
        "loop_body",
        [helper.make_tensor_value_info("iter", TensorProto.INT64, []),
         helper.make_tensor_value_info("cond_in", TensorProto.BOOL, []),
         helper.make_tensor_value_info("x_in", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("cond_out", TensorProto.BOOL, []),
         helper.make_tensor_value_info("x_out", TensorProto.FLOAT, ["batch", 4])])
    g = helper.make_graph(
        [helper.make_node("Loop", ["trip_count", "cond", "input"], ["loop_out"], name="loop", body=body),
         helper.make_node("Gemm", ["loop_out", "W_head", "b_head"], ["output"], name="head", transB=1)],
        "loop_model",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 4])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 2])],
        initializer=[numpy_helper.from_array(np.array(3, dtype=np.int64), "trip_count"),
                     numpy_helper.from_array(np.array(True), "cond"),
                     numpy_helper.from_array(W, "W"), numpy_helper.from_array(b, "b"),
                     numpy_helper.from_array(Wh, "W_head"), numpy_helper.from_array(bh, "b_head")])
    m = helper.make_model(g, producer_name="onnx.helper (rosetta fixtures)", producer_version=onnx.__version__,
                          opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.checker.check_model(m, full_check=True)
    name = "refuse_loop_opset17"
    onnx.save_model(m, str(ctx.out / f"{name}.onnx"))
    x = vec4
    ref = x
    for _ in range(3):
        ref = np.maximum(ref @ W.T + b, 0)
    add_entry(ctx, name, "onnx.helper", "hand-built: Loop(trip_count=3, cond=true, carried x[N,4]) whose body is Relu(Gemm(x, W, b, transB=1)) with W, b outer-scope initialisers; then Gemm -> [N,2]",
              "NC [N,4] (seeded standard normal)", "[N,2]", {"input": x}, None,
              expected=refuse("control flow (Loop with a subgraph) is not a layer list"),
              export_call="onnx.helper.make_model, opset 17, ir_version 8, onnx.checker full_check",
              notes=["the body reads W and b from the outer graph's initialisers (outer-scope references)",
                     "reference output checked against numpy (3 x Relu(x W^T + b), then the head) before saving"])
    ref = ref @ Wh.T + bh
    ctx.entries[-1]["numpy_check_max_abs_diff"] = float(np.max(np.abs(ref - ort_run(ctx.out / f"{name}.onnx", {"input": x})[0])))

    # (c) Gemm whose B (weight) is a graph input
    g = helper.make_graph(
        [helper.make_node("Gemm", ["input", "weight", "bias"], ["h"], name="gemm_weight_from_input", transB=1),
         helper.make_node("Relu", ["h"], ["output"], name="relu")],
        "gemm_weight_input",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 4]),
         helper.make_tensor_value_info("weight", TensorProto.FLOAT, [3, 4])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 3])],
        initializer=[numpy_helper.from_array((0.1 * rng.standard_normal(3)).astype(np.float32), "bias")])
    m = helper.make_model(g, producer_name="onnx.helper (rosetta fixtures)", producer_version=onnx.__version__,
                          opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    onnx.checker.check_model(m, full_check=True)
    name = "refuse_gemm_weight_is_graph_input_opset17"
    onnx.save_model(m, str(ctx.out / f"{name}.onnx"))
    wfeed = normal_batch((3, 4), SEED + 34)
    add_entry(ctx, name, "onnx.helper", "hand-built: Relu(Gemm(input[N,4], weight[3,4] (a second graph input), bias initialiser, transB=1))",
              ["NC [N,4] (seeded standard normal)", "[3,4] weight fed at run time"], "[N,3]",
              {"input": vec4, "weight": wfeed}, None,
              expected=refuse("Gemm's B operand is a graph input, not an initialiser: the weights are not in the file"),
              export_call="onnx.helper.make_model, opset 17, ir_version 8",
              notes=["ref file also holds the tensor 'weight' (the second graph input's value)"])

    # (d) external data, data file deliberately missing
    src = onnx.load(str(ctx.out / "torch_mlp_opset17.onnx"))
    name = "refuse_external_data_missing"
    data_name = f"{name}.onnx.data"
    onnx.save_model(src, str(ctx.out / f"{name}.onnx"), save_as_external_data=True, all_tensors_to_one_file=True,
                    location=data_name, size_threshold=0)
    feeds = {"input": ctx.images5.reshape(N_REF, 784)}
    add_entry(ctx, name, "onnx.save_model(save_as_external_data=True) of torch_mlp_opset17",
              "same graph and weights as torch_mlp_opset17, every initialiser stored in the external file " + data_name,
              "NC [N,784] (pixels/255)", "[N,10] logits", feeds, None,
              expected=refuse(f"external data file '{data_name}' (next to the model) is missing"),
              export_call=f"onnx.save_model(m, path, save_as_external_data=True, all_tensors_to_one_file=True, location='{data_name}', size_threshold=0)",
              notes=["the reference output was computed by onnxruntime while the data file existed; the data file was then deleted and is NOT shipped",
                     "initialisers carry data_location=EXTERNAL with external_data keys location/offset/length"])
    (ctx.out / data_name).unlink()
    try:
        ort_run(ctx.out / f"{name}.onnx", feeds)
        ctx.entries[-1]["onnxruntime_without_data_file"] = "loaded (unexpected)"
    except Exception as e:
        ctx.entries[-1]["onnxruntime_without_data_file"] = scrub(f"{type(e).__name__}: {str(e).strip()[:400]}", ctx.out)
    try:
        onnx.load(str(ctx.out / f"{name}.onnx"))
        ctx.entries[-1]["onnx_load_without_data_file"] = "loaded (unexpected)"
    except Exception as e:
        ctx.entries[-1]["onnx_load_without_data_file"] = scrub(f"{type(e).__name__}: {str(e).strip()[:400]}", ctx.out)
    try:
        onnx.checker.check_model(str(ctx.out / f"{name}.onnx"), full_check=True)
        ctx.entries[-1]["onnx_checker_full_check"] = "ok"
    except Exception as e:
        ctx.entries[-1]["onnx_checker_full_check"] = scrub(f"{type(e).__name__}: {str(e).strip()[:300]}", ctx.out)


# --------------------------------------------------------------------------
# Keras 3 (TensorFlow backend) -> model.export(format="onnx") -> tf2onnx
# run in a child process so TensorFlow and torch do not share one interpreter
# --------------------------------------------------------------------------
KERAS_CHILD = r'''
import os, sys, json
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ["TF_DETERMINISTIC_OPS"] = "1"
import numpy as np
import tensorflow as tf
tf.config.threading.set_intra_op_parallelism_threads(1)
tf.config.threading.set_inter_op_parallelism_threads(1)
import keras
out, seed, images = sys.argv[1], int(sys.argv[2]), sys.argv[3]
x5 = np.load(images)                         # [5,1,28,28] pixels/255
nhwc = np.ascontiguousarray(x5.transpose(0, 2, 3, 1))
flat = x5.reshape(len(x5), 784)
rng = np.random.default_rng(seed)
def perturb(model):
    for layer in model.layers:
        ws = layer.get_weights()
        if not ws:
            continue
        if isinstance(layer, keras.layers.BatchNormalization):
            gamma, beta, mean, var = ws
            ws = [1 + 0.3 * rng.standard_normal(gamma.shape), 0.2 * rng.standard_normal(beta.shape),
                  0.1 * rng.standard_normal(mean.shape), 1 + 0.5 * rng.random(var.shape)]
        else:  # keep kernels, give biases non-zero values
            ws = [w if w.ndim > 1 else 0.1 * rng.standard_normal(w.shape) for w in ws]
        layer.set_weights([np.asarray(w, np.float32) for w in ws])
res = {"versions": {"tensorflow": tf.__version__, "keras": keras.__version__}}
import tf2onnx
res["versions"]["tf2onnx"] = tf2onnx.__version__
keras.utils.set_random_seed(seed)
mlp = keras.Sequential([keras.Input((784,)), keras.layers.Dense(32, activation="relu", name="fc1"),
                        keras.layers.Dropout(0.3, name="drop"),
                        keras.layers.Dense(16, activation="relu", name="fc2"), keras.layers.Dense(10, name="fc3")], name="keras_mlp")
mlp(flat[:1]); perturb(mlp)
mlp.export(os.path.join(out, "keras_mlp.onnx"), format="onnx", verbose=False)
res["keras_mlp"] = mlp.predict(flat, verbose=0).tolist()
keras.utils.set_random_seed(seed + 1)
cnn = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Conv2D(4, 3, padding="same", name="conv1"),
                        keras.layers.BatchNormalization(name="bn1"), keras.layers.ReLU(name="relu1"),
                        keras.layers.MaxPooling2D(2, name="pool1"), keras.layers.Conv2D(8, 3, activation="relu", name="conv2"),
                        keras.layers.Flatten(name="flatten"), keras.layers.Dense(10, name="fc")], name="keras_cnn")
cnn(nhwc[:1]); perturb(cnn)
cnn.export(os.path.join(out, "keras_cnn.onnx"), format="onnx", verbose=False)
res["keras_cnn"] = cnn.predict(nhwc, verbose=0).tolist()
keras.utils.set_random_seed(seed + 2)
rgb_in = np.random.default_rng(seed + 3).standard_normal((5, 12, 12, 3)).astype(np.float32)
np.save(os.path.join(out, "_rgb_in.npy"), rgb_in)
rgb = keras.Sequential([keras.Input((12, 12, 3)), keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv1"),
                        keras.layers.MaxPooling2D(2, name="pool1"), keras.layers.Flatten(name="flatten"),
                        keras.layers.Dense(5, name="fc")], name="keras_cnn_rgb")
rgb(rgb_in[:1]); perturb(rgb)
rgb.export(os.path.join(out, "keras_cnn_rgb.onnx"), format="onnx", verbose=False)
res["keras_cnn_rgb"] = rgb.predict(rgb_in, verbose=0).tolist()
json.dump(res, open(os.path.join(out, "_keras_child.json"), "w"))
'''


def make_keras_fixtures(ctx):
    np.save(ctx.out / "_images5.npy", ctx.images5)
    child = ctx.out / "_keras_child.py"
    child.write_text(KERAS_CHILD)
    env = dict(os.environ, PYTHONHASHSEED="0", CUDA_VISIBLE_DEVICES="")
    try:
        r = subprocess.run([sys.executable, str(child), str(ctx.out), str(SEED + 200), str(ctx.out / "_images5.npy")],
                           env=env, capture_output=True, text=True, timeout=1200)
        if r.returncode != 0:
            ctx.failures.append({"fixture": "keras_mlp/keras_cnn", "error": r.stderr[-3000:]})
            print("  keras FAILED:\n", r.stderr[-3000:])
            return None
        res = json.loads((ctx.out / "_keras_child.json").read_text())
        rgb_in = np.load(ctx.out / "_rgb_in.npy")
    finally:
        for f in ("_keras_child.py", "_images5.npy", "_keras_child.json", "_rgb_in.npy"):
            if (ctx.out / f).exists():
                (ctx.out / f).unlink()
    v = res["versions"]
    prod = f"keras3 export (keras {v['keras']}, tensorflow {v['tensorflow']} backend, via tf2onnx {v['tf2onnx']})"
    call = "model.export(path, format='onnx') (Keras 3, KERAS_BACKEND=tensorflow; internally tf2onnx.convert.from_function, default opset)"
    flat = ctx.images5.reshape(N_REF, 784)
    nhwc = np.ascontiguousarray(ctx.images5.transpose(0, 2, 3, 1))
    add_entry(ctx, "keras_mlp", prod,
              "Keras Sequential: Input(784) - Dense(32, relu) - Dropout(0.3) - Dense(16, relu) - Dense(10); biases set to non-zero values",
              "NC [N,784] (pixels/255)", "[N,10] logits", {ctx_input_name(ctx, 'keras_mlp'): flat},
              np.array(res["keras_mlp"], np.float32), dropout_kept=None,
              expected=ok(MLP_LAYERS, [784]) | {"note": "Keras Dense kernel is stored [in, out] (MatMul B), Rosetta's dense weight is [out, in]: transpose on import"},
              export_call=call,
              notes=["Dense -> MatMul (B = kernel [in,out]) + Add (bias) [+ Relu]; no Gemm",
                     "Keras Dropout is an identity at inference and leaves no node"])
    ctx.entries[-1]["dropout_kept"] = "Dropout" in ctx.entries[-1]["ops"] or "Identity" in ctx.entries[-1]["ops"]
    add_entry(ctx, "keras_cnn", prod,
              "Keras Sequential: Input(28,28,1) NHWC - Conv2D(4,3,padding='same') - BatchNormalization - ReLU - MaxPooling2D(2) - Conv2D(8,3,valid,relu) - Flatten - Dense(10); BN stats and biases set to non-trivial values",
              "NHWC [N,28,28,1] (pixels/255)", "[N,10] logits", {ctx_input_name(ctx, 'keras_cnn'): nhwc},
              np.array(res["keras_cnn"], np.float32),
              expected=ok([L("conv2d", filters=4, kernel=[3, 3], padding=[1, 1]),
                           L("batch_norm", onnx="Mul(scale [1,4,1,1]) + Add(shift [1,4,1,1]): weight=scale, bias=shift, running_mean=0, running_var=1-epsilon (or fold into the conv)"),
                           L("relu"), L("max_pool2d", kernel=[2, 2]),
                           L("conv2d", filters=8, kernel=[3, 3], padding=[0, 0]), L("relu"), L("flatten"), L("dense", units=10)],
                          [1, 28, 28]) | {"note": "input is NHWC [28,28,1]; with C=1 tf2onnx turns the NHWC->NCHW Transpose into a Reshape, so the model is NCHW-equivalent. Keras Flatten is NHWC order: the Transpose(perm 0,2,3,1) before the flattening Reshape must be absorbed by permuting the Dense weight columns (or kept as an explicit layer)"},
              export_call=call,
              bn_form="inference BN became a per-channel Mul (scale = gamma/sqrt(var+eps)) and Add (shift = beta - mean*scale) after the Conv, constants shaped [1,C,1,1]; Keras epsilon 1e-3 is baked in",
              notes=["no BatchNormalization node: TF/tf2onnx rewrite the inference-mode BatchNormalization to Mul+Add (not folded into the Conv weights)",
                     "input NHWC [N,28,28,1]; since C=1 the NHWC->NCHW Transpose is emitted as Reshape(input, [-1,1,28,28]); the convs and pools run NCHW",
                     "Keras Flatten flattens NHWC: Transpose(perm=[0,2,3,1]) then Reshape to [N, 1152] whose shape is computed: Shape -> Gather(perm indices) -> Cast -> Slice -> Concat(-1) -> Cast -> Reshape",
                     "Dense -> MatMul (kernel [in,out]) + Add"])
    ctx.entries[-1]["bn_folded"] = "BatchNormalization" not in ctx.entries[-1]["ops"]
    add_entry(ctx, "keras_cnn_rgb", prod,
              "Keras Sequential: Input(12,12,3) NHWC - Conv2D(4,3,padding='same',relu) - MaxPooling2D(2) - Flatten - Dense(5); biases non-zero",
              "NHWC [N,12,12,3] (seeded standard normal)", "[N,5]", {ctx_input_name(ctx, 'keras_cnn_rgb'): rgb_in},
              np.array(res["keras_cnn_rgb"], np.float32),
              expected=ok([L("conv2d", filters=4, kernel=[3, 3], padding=[1, 1]), L("relu"), L("max_pool2d", kernel=[2, 2]),
                           L("flatten"), L("dense", units=5)], [3, 12, 12]) |
              {"note": "input is NHWC: Rosetta's model takes NCHW [3,12,12], the importer must absorb the leading Transpose(perm [0,3,1,2]) (callers then feed NCHW) and the NHWC flatten order before the Dense"},
              export_call=call,
              notes=["with C=3 the input side is a real Transpose(perm=[0,3,1,2]) NHWC->NCHW",
                     "Flatten: Transpose(perm=[0,2,3,1]) back to NHWC, then a computed-shape Reshape; Dense -> MatMul + Add"])
    return v


def ctx_input_name(ctx, name):
    return inspect_onnx(ctx.out / f"{name}.onnx")["graph_inputs"][0]["name"]


# --------------------------------------------------------------------------
def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("--fashion-dir", default=DEFAULT_FASHION)
    ap.add_argument("--skip-keras", action="store_true")
    args = ap.parse_args()
    out = Path(args.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    ctx = Ctx(out, args.fashion_dir)

    import onnx
    import onnxruntime
    import safetensors
    import torch
    versions = {"python": sys.version.split()[0], "numpy": np.__version__, "torch": torch.__version__,
                "onnx": onnx.__version__, "onnxruntime": onnxruntime.__version__, "safetensors": safetensors.__version__}
    try:
        import onnxscript
        versions["onnxscript"] = onnxscript.__version__
    except Exception as e:  # noqa
        versions["onnxscript"] = f"unavailable: {e!r}"

    print("torch fixtures", flush=True)
    mlp = make_torch_fixtures(ctx)
    print("onnx.helper fixtures", flush=True)
    make_helper_fixtures(ctx, mlp)
    if not args.skip_keras:
        print("keras fixtures", flush=True)
        kv = make_keras_fixtures(ctx)
        if kv:
            versions.update(kv)

    # the trained CNN (made by train_fashion_cnn.py), listed if present
    trained_json = out / "fashion_cnn_torch.json"
    if trained_json.exists():
        meta = json.loads(trained_json.read_text())
        for f in meta.get("onnx_files", []):
            e = add_entry(ctx, Path(f["file"]).stem, f["producer"], f["module"], "NCHW [N,1,28,28] (pixels/255)",
                          "[N,10] logits", {}, ref=False, bn_folded=f["bn_folded"], expected=ok(f["rosetta_layers"], [1, 28, 28]),
                          export_call=f["export_call"], notes=f["notes"])
            e["ref_file"] = f.get("ref_file")
            e["accuracy_json"] = trained_json.name

    manifest = {
        "description": "ONNX import fixtures for `rosetta import`; made by make_onnx_import_fixtures.py (and train_fashion_cnn.py for the trained CNN)",
        "seed": SEED,
        "reference_files": "X.ref.safetensors: F32 'input' (the first graph input) and 'output' (onnxruntime's result from the .onnx file); extra graph inputs under their own names",
        "image_inputs": "t10k Fashion-MNIST images 0..4 (5..6 for the static-batch fixture), pixels/255 as float32, no normalisation",
        "versions": versions,
        "export_failures_and_probes": ctx.failures,
        "fixtures": ctx.entries,
    }
    (out / "MANIFEST.json").write_text(json_text(manifest) + "\n")
    for p in out.iterdir():  # safetensors writes 0600 files
        if p.is_file():
            os.chmod(p, 0o644)
    total = sum(p.stat().st_size for p in out.iterdir() if p.is_file())
    print(f"{len(ctx.entries)} fixtures, {total} bytes in {out}")


if __name__ == "__main__":
    main()
