#!/usr/bin/python3
"""Writes the .pth fixtures of package pth with Debian's PyTorch 1.13.

Run from this folder with the system Python (the one that has torch):

    /usr/bin/python3 gen_pth.py

Outputs (all small, committed):
  mixed.pth      torch.save (zip format) of an OrderedDict covering every dtype the
                 reader supports, a 0-dim scalar, a transposed (non-contiguous) view,
                 two tensors sharing one storage (one with a storage offset), an
                 empty tensor and float32 values with their float16/bfloat16 roundings.
  legacy.pth     the same dict saved with _use_new_zipfile_serialization=False
                 (the pre-zip format of torchvision's resnet34-333f7ec4.pth). Its storage
                 keys are Python object ids, so this file changes on every run.
  module.pth     state_dict() of a small Conv/BN/Linear Sequential: carries the
                 _metadata attribute (module versions) that real state dicts have.
  nested.pth     a fastai-style learn.save file: {'model': state dict, 'opt': {'hypers':
                 [{'lr': 0.01, 'mom': 0.9, 'eps': 1e-05, 'name': 'adam'}], 'state': [{'step': 3,
                 'grad_avg': tensor, 'do_wd': True, 'extra': None}]}} (plain dicts, lists,
                 floats, ints, bools, None and tensors).
  mixed.json, module.json
                 what torch.load returns for them: for each key in order its dtype,
                 shape, and values (flattened in row-major order, as float64 or int;
                 non-finite floats as the strings "inf", "-inf", "nan"),
                 plus _metadata for module.pth.
"""
import collections
import json
import math

import torch


def jfloat(x):
    """A float for JSON: non-finite values as the strings "inf", "-inf", "nan"."""
    if math.isfinite(x):
        return x
    return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")


def dump(sd, path):
    out = {"entries": []}
    for k, v in sd.items():
        vals = v.detach().reshape(-1)
        if v.dtype == torch.bool:
            vals = vals.to(torch.int64)
        if v.is_floating_point():
            vals = [jfloat(x) for x in vals.to(torch.float64).tolist()]
        else:
            vals = [int(x) for x in vals.tolist()]
        out["entries"].append({
            "name": k,
            "dtype": str(v.dtype).replace("torch.", ""),
            "shape": list(v.shape),
            "values": vals,
        })
    meta = getattr(sd, "_metadata", None)
    if meta is not None:
        out["versions"] = [[k, v.get("version")] for k, v in meta.items()]
    with open(path, "w") as f:
        json.dump(out, f)


def mixed():
    g = torch.Generator().manual_seed(4)
    sd = collections.OrderedDict()
    sd["f32"] = torch.randn(3, 4, generator=g)
    base = torch.randn(2, 3, generator=g)
    sd["transposed"] = base.t()                       # shape [3,2], stride (1,3)
    shared = torch.arange(10, dtype=torch.float32)
    sd["shared_all"] = shared
    sd["shared_tail"] = shared[4:].view(2, 3)          # storage offset 4, same storage
    sd["strided"] = shared[::3]                        # stride (3,)
    sd["f64"] = torch.randn(5, generator=g, dtype=torch.float64)
    sd["scalar_f32"] = torch.tensor(2.5)
    sd["num_batches_tracked"] = torch.tensor(17, dtype=torch.int64)
    sd["i64"] = torch.tensor([-3, 0, 1 << 40], dtype=torch.int64)
    sd["i32"] = torch.tensor([[-7, 8]], dtype=torch.int32)
    sd["i16"] = torch.tensor([-300, 300], dtype=torch.int16)
    sd["i8"] = torch.tensor([-128, 127], dtype=torch.int8)
    sd["u8"] = torch.tensor([0, 200, 255], dtype=torch.uint8)
    sd["bool"] = torch.tensor([True, False, True])
    sd["empty"] = torch.zeros(0, 3)
    src = torch.cat([torch.randn(12, generator=g) * 100,
                     torch.tensor([65504.0, 65520.0, 1e-7, 6e-8, 3e-5, 1.0009765625, 1.00048828125,
                                   -2.0, 3.4e38, -1e-40, 0.0, -0.0])])
    sd["round_src"] = src
    sd["round_f16"] = src.half()
    sd["round_bf16"] = src.bfloat16()
    return sd


def main():
    sd = mixed()
    torch.save(sd, "mixed.pth")
    torch.save(sd, "legacy.pth", _use_new_zipfile_serialization=False)
    dump(torch.load("mixed.pth"), "mixed.json")

    torch.manual_seed(0)
    m = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, bias=False), torch.nn.BatchNorm2d(4),
                            torch.nn.Flatten(), torch.nn.Linear(4, 2))
    m.train()
    m(torch.randn(2, 3, 3, 3))  # moves the running stats and num_batches_tracked
    torch.save(m.state_dict(), "module.pth")
    dump(torch.load("module.pth"), "module.json")

    opt = {"hypers": [{"lr": 0.01, "mom": 0.9, "eps": 1e-05, "name": "adam"}],
           "state": [{"step": 3, "grad_avg": torch.full((2, 2), 0.5), "do_wd": True, "extra": None}]}
    torch.save({"model": m.state_dict(), "opt": opt}, "nested.pth")


if __name__ == "__main__":
    main()
