#!/usr/bin/env python3
"""PyTorch side of fastgo's ResNet34 benchmark: the same measurement as
`fastgo bench train-step` / `fastgo bench infer`, for a side-by-side comparison.

Runs torchvision resnet34(num_classes=20) (or -arch resnet18 / resnet50) on random input: a training step is forward,
BCEWithLogits loss, backward and AdamW step; inference is a forward under no_grad in eval
mode. Prints one JSON line with images/s (median over the timed steps), the per-step
times and the peak resident memory.

-layout channels_last puts the model and input in channels-last (NHWC) memory format,
PyTorch's fastest CPU layout for convolutions (mkldnn). -jit (inference only) runs
torch.jit.freeze(torch.jit.trace(model.eval())), which folds each BatchNorm into the
preceding convolution and fuses ReLUs: the configuration a PyTorch user deploys with.
-precision bf16 runs the forward (and the loss) under torch.autocast("cpu",
dtype=torch.bfloat16), PyTorch's one-line mixed precision: convolutions and linear layers
take bf16 operands, the weights and the optimiser stay float32 (with -jit the trace is
taken under autocast).

Run it with Debian's PyTorch (python3-torch 1.13) and the configuration that is fastest
on a CPU (keeps freed memory mapped instead of returning it to the OS):

  OPENBLAS_NUM_THREADS=2 GLIBC_TUNABLES=glibc.malloc.hugetlb=1 MALLOC_MMAP_MAX_=0 \
  MALLOC_TRIM_THRESHOLD_=68719476736 MALLOC_TOP_PAD_=1073741824 \
  /usr/bin/python3 bench/torch_resnet34.py -mode train -threads 2 -batch 64 -size 224
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
    ap.add_argument("-arch", choices=["resnet18", "resnet34", "resnet50"], default="resnet34")
    ap.add_argument("-threads", type=int, default=2)
    ap.add_argument("-batch", type=int, default=64)
    ap.add_argument("-size", type=int, default=224)
    ap.add_argument("-steps", type=int, default=5, help="timed steps")
    ap.add_argument("-warmup", type=int, default=2)
    ap.add_argument("-layout", choices=["nchw", "channels_last"], default="nchw")
    ap.add_argument("-jit", action="store_true", help="inference: trace and freeze the eval model")
    ap.add_argument("-precision", choices=["fp32", "bf16"], default="fp32",
                    help="bf16: CPU autocast to bfloat16")
    a = ap.parse_args()
    if a.jit and a.mode != "infer":
        ap.error("-jit applies to -mode infer only")

    torch.set_num_threads(a.threads)
    torch.set_num_interop_threads(1)
    torch.manual_seed(0)
    model = getattr(torchvision.models, a.arch)(num_classes=20)
    x = torch.randn(a.batch, 3, a.size, a.size)
    y = (torch.rand(a.batch, 20) < 0.1).float()
    loss_fn = torch.nn.BCEWithLogitsLoss()
    if a.layout == "channels_last":
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    model.train(a.mode == "train")
    run = model
    bf16 = a.precision == "bf16"
    if a.jit:
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
            # Under autocast the traced graph's casts fail the trace check's comparison.
            run = torch.jit.freeze(torch.jit.trace(model.eval(), x, check_trace=not bf16))

    def step():
        if a.mode == "train":
            opt.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                loss = loss_fn(run(x), y)
            loss.backward()
            opt.step()
        else:
            with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
                run(x)

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
        "arch": a.arch, "mode": a.mode, "layout": a.layout, "jit": a.jit, "precision": a.precision,
        "threads": a.threads,
        "batch": a.batch, "size": a.size,
        "images_per_s": round(a.batch / med, 3),
        "step_s": [round(t, 4) for t in times],
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }))


if __name__ == "__main__":
    main()
