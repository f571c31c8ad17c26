#!/usr/bin/python3
"""OpenBLAS's SGEMM GFLOP/s on the shapes `fastgo bench gemm` measures: the reference for
its SGEMM rows in the README.

numpy's float32 matmul calls the system BLAS (Debian: OpenBLAS through the libblas.so.3
alternative). Run it with the thread count fixed and, on Zen 5, OpenBLAS's SkylakeX kernels
forced (its own detection picks a slower generic kernel on that CPU):

  OPENBLAS_NUM_THREADS=1 OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 bench/openblas_sgemm.py
  ./fastgo bench gemm -threads 1,2 -simd avx512

Each cell is the median GFLOP/s of timed runs filling at least 0.3 s after one warm-up.
"""
import statistics
import sys
import time

import numpy as np

# name, M, N, K (C[M×N] = A[M×K]·B[K×N]), the shapes of bench/gemm.go.
SHAPES = [
    ("square 1024", 1024, 1024, 1024),
    ("layer1 conv", 64, 3136, 576),
    ("layer2 conv", 128, 784, 1152),
    ("layer3 conv", 256, 196, 2304),
    ("layer4 conv", 512, 49, 4608),
]


def gflops(m, n, k, min_time=0.3, min_runs=5):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    c = np.empty((m, n), dtype=np.float32)
    np.matmul(a, b, out=c)
    rates, spent = [], 0.0
    while len(rates) < min_runs or spent < min_time:
        t = time.perf_counter()
        np.matmul(a, b, out=c)
        dt = time.perf_counter() - t
        spent += dt
        rates.append(2 * m * n * k / dt / 1e9)
    return statistics.median(rates)


def main():
    only = sys.argv[1:]
    for name, m, n, k in SHAPES:
        if only and not any(s in name for s in only):
            continue
        print(f"{name:12s} {m}x{n}x{k}: {gflops(m, n, k):7.1f} GFLOP/s")


if __name__ == "__main__":
    main()
