"""Checks the Python ports against reference files made by Rosetta's Java code (fixtures/, from
fixtures/make_fixtures.sh). Plain asserts, no pytest:

  python test_pyref.py [--data /usr/share/datasets/fashion-mnist] [--quick]

- bit-exact: SplittableRandom (nextLong, nextInt, nextInt(bound) with its rejection loop,
  nextDouble, split), stream seeds, batch orders, dropout masks, IDX pixel scaling, and every
  initial tensor of seven specs (SHA-256 of Java's init.safetensors);
- within 1e-5 (times the largest output when above 1, as `rosetta export --verify`): torch and
  Keras forwards against Rosetta's PyTorch and TensorFlow backends and ONNX Runtime, at
  initial and trained weights;
- replays of two Rosetta runs (zoo-conv on PyTorch, zoo-vec on TensorFlow: every layer kind,
  dropout, sgd with nesterov and weight decay, adam, mse) in torch and Keras: per-step loss and
  final weights within 1e-4 relative (skipped with --quick).

The data folder supplies the images: Rosetta's embedded subset, which the fixtures were made
on, is its first 6,000 training and 1,000 test images.
"""
import argparse
import gzip
import hashlib
import json
import os
import struct
import sys
import tempfile
import traceback

import numpy as np

import rosetta_models
import rosetta_random
import rosetta_spec

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, "fixtures")
SUBSET_TRAIN = 6000
DATA = "/usr/share/datasets/fashion-mnist"  # --data


def fixture(*parts):
    return os.path.join(FIX, *parts)


def reference():
    with open(fixture("random_reference.json")) as f:
        return json.load(f)


def double_bits(v):
    return struct.unpack("<Q", struct.pack("<d", v))[0]


def test_splittable_random():
    ref = reference()
    for s in ref["splittable"]:
        seed = int(s["seed"])
        r = rosetta_random.SplittableRandom(seed)
        assert [r.next_long() for _ in range(8)] == [int(v) for v in s["next_long"]], f"nextLong, seed {seed}"
        r = rosetta_random.SplittableRandom(seed)
        assert [r.next_int() for _ in range(8)] == s["next_int"], f"nextInt, seed {seed}"
        r = rosetta_random.SplittableRandom(seed)
        assert [double_bits(r.next_double()) for _ in range(8)] == [int(v, 16) for v in s["next_double_bits"]], f"nextDouble, seed {seed}"
        r = rosetta_random.SplittableRandom(seed)
        assert [r.next_int(b) for b in ref["bounds"] for _ in range(16)] == s["bounded"], f"nextInt(bound), seed {seed}"
        r = rosetta_random.SplittableRandom(seed)
        child, got = r.split(), []
        for _ in range(4):
            got += [child.next_long(), r.next_long()]
        assert got == [int(v) for v in s["split_child_then_parent"]], f"split, seed {seed}"
        # The vectorised draw is the scalar one, and leaves the generator where it would be.
        a, b = rosetta_random.SplittableRandom(seed), rosetta_random.SplittableRandom(seed)
        assert [double_bits(v) for v in a.next_doubles(100)] == [double_bits(b.next_double()) for _ in range(100)]
        assert a.next_long() == b.next_long()


def test_stream_seed():
    for seed, name, value in reference()["stream_seed"]:
        assert rosetta_random.to_signed64(rosetta_random.stream_seed(seed, name)) == int(value), name


def test_batch_order():
    ref = reference()
    small = ref["batch_order_small"]
    for epoch in (1, 2):
        got = rosetta_random.batch_order(small["size"], small["seed"], epoch, True).tolist()
        assert got == small[f"epoch{epoch}"], f"epoch {epoch}"
    for c in ref["batch_order_sha256"]:
        order = rosetta_random.batch_order(c["size"], c["seed"], c["epoch"], True)
        assert order[:8].tolist() == c["first"], c
        assert hashlib.sha256(order.astype("<i4").tobytes()).hexdigest() == c["sha256_int32le"], c
    assert rosetta_random.batch_order(5, 42, 1, False).tolist() == [0, 1, 2, 3, 4]


def test_dropout_masks():
    for c in reference()["dropout_sha256"]:
        mask = rosetta_random.dropout_mask(c["seed"], c["step"], c["layer"], c["count"], c["rate"])
        assert int((mask == 0).sum()) == c["zeros"], c
        assert hashlib.sha256(mask.astype("<f4").tobytes()).hexdigest() == c["sha256_f32le"], c


def test_idx_pixels():
    """rosetta_spec.load_idx on an IDX pair holding every byte value gives IdxReader's floats."""
    with tempfile.TemporaryDirectory() as d:
        for split in ("train", "t10k"):
            with gzip.open(os.path.join(d, f"{split}-images-idx3-ubyte.gz"), "wb") as f:
                f.write(struct.pack(">IIII", 0x803, 1, 16, 16) + bytes(range(256)))
            with open(os.path.join(d, f"{split}-labels-idx1-ubyte"), "wb") as f:  # raw, not gzip
                f.write(struct.pack(">II", 0x801, 1) + b"\x07")
        x, y = rosetta_spec.load_idx(d, "train", [256])
    assert x.dtype == np.float32 and x.view(np.int32)[0].tolist() == reference()["pixel_bits"]
    assert y.tolist() == [7]


def test_initial_weights():
    with open(fixture("init_sha256.json")) as f:
        expected = json.load(f)
    for name, tensors in expected.items():
        mine = rosetta_random.initialize(fixture("specs", name + ".json"))
        got = [[k, list(v.shape), hashlib.sha256(v.astype("<f4").tobytes()).hexdigest()] for k, v in mine.items()]
        assert got == tensors, f"{name}: initial weights differ from Java's"


def first_test_images(spec, count):
    x, _ = rosetta_spec.load_idx(DATA, "t10k", spec["input"]["shape"])
    return x[:count]


def forward_weights(name, label):
    spec = rosetta_spec.load_spec(fixture("specs", name + ".json"))
    if label == "init":
        return spec, rosetta_random.initialize(spec)
    return spec, rosetta_models.read_checkpoint(fixture("runs", name, "checkpoint.safetensors"))[0]


def test_forward():
    import torch
    worst = {}
    for file in sorted(os.listdir(fixture("forward"))):
        with open(fixture("forward", file)) as f:
            ref = json.load(f)
        name = file[:-len("-" + ref["weights"] + ".json")]
        spec, weights = forward_weights(name, ref["weights"])
        x = first_test_images(spec, len(ref["pytorch"]))
        tm = rosetta_models.TorchModel(spec)
        tm.load_canonical(weights)
        tm.eval()
        with torch.no_grad():
            outs = {"torch": tm(torch.from_numpy(x)).numpy()}
        for exact in (True, False):
            km = rosetta_models.KerasModel(spec, exact=exact)
            km.load_canonical(weights)
            outs["keras" if exact else "keras-native"] = np.asarray(km(x, training=False))
        for backend in ("pytorch", "tensorflow", "onnxruntime"):
            java = np.array(ref[backend], np.float32)
            bound = 1e-5 * max(1.0, float(np.abs(java).max()))
            for ours, out in outs.items():
                diff = float(np.abs(out - java).max())
                worst[(ours, backend)] = max(worst.get((ours, backend), 0.0), diff)
                assert diff <= bound, f"{file}: {ours} vs Rosetta {backend}: max |diff| {diff:.2e} > {bound:.2e}"
    print("    max |diff| over all specs: " + ", ".join(f"{o} vs {b} {d:.1e}" for (o, b), d in sorted(worst.items())))


def test_replays():
    import replay
    for run in ("zoo-conv", "zoo-vec"):
        d = fixture("runs", run)
        spec = rosetta_spec.load_spec(os.path.join(d, "spec.json"))
        x_all, y_all = rosetta_spec.load_idx(DATA, "train", spec["input"]["shape"])
        x, y = x_all[:SUBSET_TRAIN], y_all[:SUBSET_TRAIN]
        with open(os.path.join(d, "metrics.jsonl")) as f:
            theirs = np.array([m["loss"] for m in map(json.loads, f) if "loss" in m])
        trained = rosetta_models.read_checkpoint(os.path.join(d, "checkpoint.safetensors"))[0]
        for framework in ("torch", "keras"):
            losses, weights = replay.replay(framework, spec, rosetta_random.initialize(spec), x, y,
                                            spec["training"]["epochs"], "exact", -1)
            rel = float((np.abs(np.array(losses) - theirs) / np.abs(theirs)).max())
            l2 = replay.relative_l2(weights, trained)
            print(f"    {run} in {framework}: {len(losses)} steps, loss max rel diff {rel:.1e}, weights rel L2 {l2:.1e}")
            assert len(losses) == len(theirs)
            assert rel <= 1e-4 and l2 <= 1e-4, f"{run} in {framework}: loss {rel:.2e}, weights {l2:.2e}"


def test_canonical_names():
    """torch state_dict keys and Keras round trips are Rosetta's canonical names and layouts."""
    spec = rosetta_spec.load_spec(fixture("specs", "zoo-conv.json"))
    weights = rosetta_random.initialize(spec)
    tm = rosetta_models.TorchModel(spec)
    tm.load_canonical(weights)
    assert [k for k in tm.state_dict() if not k.endswith("num_batches_tracked")] == list(weights)
    km = rosetta_models.KerasModel(spec)
    km.load_canonical(weights)
    back = km.canonical_weights()
    assert all(np.array_equal(back[k], weights[k]) for k in weights)


def main():
    global DATA
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=DATA, help="Fashion-MNIST IDX folder (default %(default)s)")
    p.add_argument("--quick", action="store_true", help="skip the replays (about a minute)")
    a = p.parse_args()
    DATA = a.data
    import tensorflow as tf
    import torch
    torch.set_num_threads(1)
    # Eager calls of a grouped conv retrace Keras' XLA conv function per call; TF warns about it.
    tf.get_logger().setLevel("ERROR")

    tests = [test_splittable_random, test_stream_seed, test_batch_order, test_dropout_masks, test_idx_pixels,
             test_initial_weights, test_canonical_names, test_forward] + ([] if a.quick else [test_replays])
    passed = failed = 0
    for test in tests:
        try:
            test()
            passed += 1
            print(f"ok    {test.__name__}")
        except Exception:  # noqa: BLE001 - report every failing check, not just the first
            failed += 1
            print(f"FAIL  {test.__name__}\n{traceback.format_exc()}")
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
