#!/usr/bin/env python3
"""Side-by-side ResNet34 benchmark: fastgo against PyTorch on the same machine, in one run.

For each thread count and mode (training step, inference) it runs `fastgo bench` and
bench/torch_resnet34.py alternately, each as its own process, and prints images/s (median
of the timed steps) and peak resident memory. PyTorch runs in every configuration a user
would try (threads set, one inter-op thread, glibc malloc keeping memory mapped, and):

  train:  NCHW; channels_last
  infer:  NCHW; channels_last; torch.jit.freeze(torch.jit.trace(model.eval())) + channels_last

and fastgo's ratio is taken against the fastest of them ("best"); the NCHW figure and its
ratio are printed too.

  go build -o fastgo ./cmd/fastgo
  /usr/bin/python3 bench/compare.py -fastgo ./fastgo -threads 1,2 -batch 64 -size 224
  /usr/bin/python3 bench/compare.py -fastgo ./fastgo -threads 2 -precisions fp32,bf16

With -precisions each configuration also runs in bf16: fastgo -precision bf16 against
PyTorch's CPU autocast to bfloat16 (torch_resnet34.py -precision bf16) in every layout.

Needs Debian's python3-torch (PyTorch 1.13) for the PyTorch side.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

TORCH_ENV = {
    "GLIBC_TUNABLES": "glibc.malloc.hugetlb=1",
    "MALLOC_MMAP_MAX_": "0",
    "MALLOC_TRIM_THRESHOLD_": "68719476736",
    "MALLOC_TOP_PAD_": "1073741824",
}


def run_json(cmd, env=None):
    out = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stdout
    # The last line that parses as JSON is the result.
    for line in reversed(out.strip().splitlines()):
        try:
            v = json.loads(line)
        except ValueError:
            continue
        if isinstance(v, dict):
            return v
    # fastgo -json prints an indented object.
    return json.loads(out[out.index("{"):])


def fastgo(args, mode, threads, precision):
    kind = "train-step" if mode == "train" else "infer"
    r = run_json([args.fastgo, "bench", kind, "-json", "-profile=false", "-threads", str(threads),
                  "-bs", str(args.batch), "-size", str(args.size), "-steps", str(args.steps),
                  "-warmup", str(args.warmup), "-precision", precision])
    return r["ImagesPerSec"], r["PeakRSSMiB"]


# PyTorch configurations per mode: (label, extra torch_resnet34.py arguments).
TORCH_CONFIGS = {
    "train": [("nchw", []), ("chlast", ["-layout", "channels_last"])],
    "infer": [("nchw", []), ("chlast", ["-layout", "channels_last"]),
              ("chlast+jit", ["-layout", "channels_last", "-jit"])],
}


def torch(args, mode, threads, extra):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), **TORCH_ENV)
    r = run_json([sys.executable, os.path.join(HERE, "torch_resnet34.py"), "-mode", mode,
                  "-threads", str(threads), "-batch", str(args.batch), "-size", str(args.size),
                  "-steps", str(args.steps), "-warmup", str(args.warmup)] + extra, env)
    return r["images_per_s"], r["peak_rss_mib"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-fastgo", default="./fastgo", help="the fastgo binary")
    ap.add_argument("-threads", default="1,2")
    ap.add_argument("-modes", default="train,infer")
    ap.add_argument("-batch", type=int, default=64)
    ap.add_argument("-size", type=int, default=224)
    ap.add_argument("-steps", type=int, default=5)
    ap.add_argument("-warmup", type=int, default=2)
    ap.add_argument("-precisions", default="fp32", help="fp32, bf16 or fp32,bf16")
    args = ap.parse_args()

    print("ResNet34 %d×%d, batch %d, %d timed steps after %d warm-up (median images/s)"
          % (args.size, args.size, args.batch, args.steps, args.warmup))
    print("%-6s %3s %4s %9s %9s %9s %11s %-11s %7s %7s %10s %10s" % (
        "mode", "thr", "prec", "fastgo", "pt nchw", "pt chlast", "pt chl+jit", "best", "vs best", "vs nchw",
        "fastgo RSS", "best RSS"))
    for mode in args.modes.split(","):
        for t in [int(x) for x in args.threads.split(",")]:
            for prec in args.precisions.split(","):
                f, frss = fastgo(args, mode, t, prec)
                res = {}
                for label, extra in TORCH_CONFIGS[mode]:
                    res[label] = torch(args, mode, t, extra + ["-precision", prec])
                best = max(res, key=lambda k: res[k][0])
                col = lambda k: "%9.2f" % res[k][0] if k in res else "%9s" % "-"
                print("%-6s %3d %4s %9.2f %s %s %11s %-11s %6.2fx %6.2fx %6.0f MiB %6.0f MiB" % (
                    mode, t, prec, f, col("nchw"), col("chlast"), col("chlast+jit").strip().rjust(11), best,
                    f / res[best][0], f / res["nchw"][0], frss, res[best][1]), flush=True)


if __name__ == "__main__":
    main()
