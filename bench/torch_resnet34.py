#!/usr/bin/env python3
"""PyTorch side of fastgo's ResNet34 benchmark: the same measurement as
`fastgo bench train-step` / `fastgo bench infer`, for a side-by-side comparison.

Runs torchvision resnet34(num_classes=20) on random input: a training step is forward,
BCEWithLogits loss, backward and AdamW step; inference is a forward under no_grad in eval
mode. Prints one JSON line with images/s (median over the timed steps), the per-step
times and the peak resident memory.

Run it with Debian's PyTorch (python3-torch 1.13) and the configuration that is fastest
on a CPU (keeps freed memory mapped instead of returning it to the OS):

  OPENBLAS_NUM_THREADS=2 GLIBC_TUNABLES=glibc.malloc.hugetlb=1 MALLOC_MMAP_MAX_=0 \
  MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=1073741824 \
  /usr/bin/python3 bench/torch_resnet34.py -mode train -threads 2 -batch 64 -size 224

-precision bf16 runs the forward (and the loss) under torch.autocast("cpu",
dtype=torch.bfloat16), PyTorch's one-line mixed precision: convolutions and linear layers
take bf16 operands, the weights and the optimiser stay float32. -channels-last stores the
model and the input in channels_last (NHWC), the layout oneDNN's bf16 kernels prefer.
"""
import argparse
import json
import resource
import statistics
import time

import torch
import torchvision


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-mode", choices=["train", "infer"], default="train")
    ap.add_argument("-threads", type=int, default=2)
    ap.add_argument("-batch", type=int, default=64)
    ap.add_argument("-size", type=int, default=224)
    ap.add_argument("-steps", type=int, default=5, help="timed steps")
    ap.add_argument("-warmup", type=int, default=2)
    ap.add_argument("-precision", choices=["fp32", "bf16"], default="fp32")
    ap.add_argument("-channels-last", dest="channels_last", action="store_true")
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    model = torchvision.models.resnet34(num_classes=20)
    x = torch.randn(a.batch, 3, a.size, a.size)
    y = (torch.rand(a.batch, 20) < 0.1).float()
    if a.channels_last:
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    bf16 = a.precision == "bf16"

    def step():
        if a.mode == "train":
            opt.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
        else:
            with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                model(x)

    model.train(a.mode == "train")
    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    med = statistics.median(times)
    print(json.dumps({
        "engine": "pytorch " + torch.__version__,
        "mode": a.mode, "threads": a.threads, "batch": a.batch, "size": a.size,
        "precision": a.precision, "channels_last": a.channels_last,
        "images_per_s": round(a.batch / med, 3),
        "step_s": [round(t, 4) for t in times],
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
