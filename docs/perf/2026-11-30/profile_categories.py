import re, subprocess, sys, json
cats = [("pooling (avg pool and its gradient)", r"AvgPool|MaxPool|pooling|avg_pool|max_pool"),
        ("convolution (oneDNN / mkldnn, its gradients)", r"dnnl|brgemm|Conv|conv|gblock|mkldnn|jit_avx|jit_uni|jit_brg"),
        ("batch norm kernels", r"batch_norm"),
        ("GELU kernels", r"gelu|Gelu|erf"),
        ("matmul (sgemm)", r"sgemm|gemm"),
        ("elementwise, copies, fills", r"VectorizedLoop|fill_kernel|add_kernel|mul_kernel|copy_kernel|memset|memmove|memcpy|clamp|threshold"),
        ("framework dispatch, autograd, allocation", r"c10::|at::|torch::|3c10|2at|5torch|autograd|Dispatch|malloc|free|_int_|memalign|unlink_chunk|tls_get_addr"),
        ("Java / JNI (Rosetta, DJL, JVM)", r"dev\.rosetta|ai\.djl|java\.|jdk\.|Interpreter|libjvm|Phase|Node::|JNI|jni_|Java_|G1|Compile"),
        ("Python interpreter, numpy", r"_Py|Py[A-Z]|numpy|libpython|_PyEval|pymalloc"),
        ("operating system", r"\[k\]")]
def run(path):
    out = subprocess.run(["perf", "report", "-i", path, "--stdio", "--no-children", "--sort", "sym", "--percent-limit", "0"],
                         capture_output=True, text=True).stdout
    m = re.search(r"# Event count \(approx.\): (\d+)", out)
    n = int(m.group(1)) / 1e9 if m else 0
    tot = {}; other = 0; top_other = []
    for line in out.splitlines():
        m = re.match(r"\s*([\d.]+)%\s+(\[.\])\s+(.*)", line)
        if not m: continue
        p, kind, sym = float(m.group(1)), m.group(2), m.group(3)
        full = kind + " " + sym
        for name, rx in cats:
            if re.search(rx, full):
                tot[name] = tot.get(name, 0) + p; break
        else:
            other += p; top_other.append((p, sym[:80]))
    tot["unresolved / other"] = other
    return n, tot, sorted(top_other, reverse=True)[:6]
# The recordings' folder: $P, as profile.sh names it (that run's was /tmp/perf2/prof).
import os
D = os.environ.get("P", "/tmp/perf2/prof")
res = {}
for k in sys.argv[1:]:
    n, tot, top = run(f"{D}/{k}.data")
    res[k] = (n, tot)
    print(k, f"{n:.1f} cpu-s")
    for name, v in sorted(tot.items(), key=lambda x: -x[1]): print(f"   {v:5.1f} %  {name}")
    print("   top other:", top)
json.dump(res, open(f"{D}/res.json", "w"))
