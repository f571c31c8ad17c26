#!/usr/bin/env python3
"""Side-by-side ResNet34 benchmark: fastgo against PyTorch on the same machine, in one run.

For each thread count and mode (training step, inference) it runs `fastgo bench` and
bench/torch_resnet34.py alternately, each as its own process (PyTorch with its fastest
CPU configuration: threads set, one inter-op thread, glibc malloc keeping memory mapped),
and prints images/s (median of the timed steps), the ratio fastgo/PyTorch and both
processes' peak resident memory.

  go build -o fastgo ./cmd/fastgo
  /usr/bin/python3 bench/compare.py -fastgo ./fastgo -threads 1,2 -batch 64 -size 224
  /usr/bin/python3 bench/compare.py -fastgo ./fastgo -threads 2 -precisions fp32,bf16

With -precisions fp32,bf16 each configuration runs in both precisions: fastgo with
-precision bf16, PyTorch under CPU autocast to bfloat16 with channels_last (its fastest
bf16 configuration); fp32 PyTorch keeps its default NCHW layout.

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


def torch(args, mode, threads, precision):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads), **TORCH_ENV)
    extra = ["-precision", "bf16", "-channels-last"] if precision == "bf16" else []
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
    ap.add_argument("-precisions", default="fp32", help="fp32, bf16 or both (comma-separated)")
    args = ap.parse_args()

    print("ResNet34 %d×%d, batch %d, %d timed steps after %d warm-up (median images/s)"
          % (args.size, args.size, args.batch, args.steps, args.warmup))
    print("%-10s %7s %9s %12s %12s %7s %14s %14s" % ("mode", "threads", "precision", "fastgo", "pytorch",
                                                    "ratio", "fastgo RSS", "pytorch RSS"))
    for mode in args.modes.split(","):
        for t in [int(x) for x in args.threads.split(",")]:
            for prec in args.precisions.split(","):
                f, frss = fastgo(args, mode, t, prec)
                p, prss = torch(args, mode, t, prec)
                print("%-10s %7d %9s %12.2f %12.2f %6.2fx %11.0f MiB %11.0f MiB"
                      % (mode, t, prec, f, p, f / p, frss, prss), flush=True)


if __name__ == "__main__":
    main()
