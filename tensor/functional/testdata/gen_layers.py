#!/usr/bin/env python3
"""Writes the PyTorch fixtures that tensor/functional's tests compare against.

Run from the repository root with Debian's PyTorch (not the python3 first on PATH):

    /usr/bin/python3 tensor/functional/testdata/gen_layers.py

Every configuration writes float32 .npy files named testdata/layers/<config>_<tensor>.npy,
activations in PyTorch's NCHW order (the Go tests convert them to fastgo's CNHW), weights
in PyTorch's order, and for every backward the upstream gradient `gy` (the loss is
sum(y * gy)) together with every input and parameter gradient. Shapes are kept tiny so the
whole directory stays well under a megabyte.
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "layers")
torch.manual_seed(20240611)
torch.set_num_threads(1)


def save(cfg, name, t):
    a = t.detach().cpu().numpy().astype(np.float32)
    np.save(os.path.join(OUT, f"{cfg}_{name}.npy"), np.ascontiguousarray(a))


def leaf(*shape, scale=1.0):
    return (torch.randn(*shape) * scale).requires_grad_(True)


def conv(cfg, x_shape, w_shape, stride, padding, dilation, bias):
    x = leaf(*x_shape)
    w = leaf(*w_shape, scale=0.5)
    b = leaf(w_shape[0]) if bias else None
    y = F.conv2d(x, w, b, stride=stride, padding=padding, dilation=dilation)
    gy = torch.randn_like(y)
    (y * gy).sum().backward()
    for n, t in [("x", x), ("w", w), ("y", y), ("gy", gy), ("gx", x.grad), ("gw", w.grad)]:
        save(cfg, n, t)
    if bias:
        save(cfg, "b", b)
        save(cfg, "gb", b.grad)


def batchnorm(cfg, x_shape, train, act, residual):
    c = x_shape[1]
    x = leaf(*x_shape, scale=2.0)
    with torch.no_grad():
        x += 0.5  # a non-zero mean
    g = leaf(c)
    b = leaf(c)
    rm = torch.randn(c) * 0.1
    rv = torch.rand(c) + 0.5
    save(cfg, "rm0", rm)
    save(cfg, "rv0", rv)
    z = F.batch_norm(x, rm, rv, g, b, training=train, momentum=0.1, eps=1e-5)
    r = None
    if residual:
        r = leaf(*x_shape)
        z = z + r
    y = F.relu(z) if act else z
    gy = torch.randn_like(y)
    (y * gy).sum().backward()
    for n, t in [("x", x), ("gamma", g), ("beta", b), ("y", y), ("gy", gy), ("gx", x.grad),
                 ("ggamma", g.grad), ("gbeta", b.grad), ("rm", rm), ("rv", rv)]:
        save(cfg, n, t)
    if residual:
        save(cfg, "res", r)
        save(cfg, "gres", r.grad)


def maxpool(cfg, x_shape, k, s, p):
    x = leaf(*x_shape)
    y, idx = F.max_pool2d(x, k, s, p, return_indices=True)
    gy = torch.randn_like(y)
    (y * gy).sum().backward()
    for n, t in [("x", x), ("y", y), ("gy", gy), ("gx", x.grad), ("idx", idx.float())]:
        save(cfg, n, t)


def adaptive(cfg, x_shape, out, kind):
    x = leaf(*x_shape)
    if kind == "avg":
        y = F.adaptive_avg_pool2d(x, out)
    elif kind == "max":
        y = F.adaptive_max_pool2d(x, out)
    else:  # fastai's AdaptiveConcatPool2d: cat([max, avg], 1)
        y = torch.cat([F.adaptive_max_pool2d(x, out), F.adaptive_avg_pool2d(x, out)], 1)
    gy = torch.randn_like(y)
    (y * gy).sum().backward()
    for n, t in [("x", x), ("y", y), ("gy", gy), ("gx", x.grad)]:
        save(cfg, n, t)


def linear(cfg, n, fin, fout, bias):
    x = leaf(n, fin)
    w = leaf(fout, fin, scale=0.3)
    b = leaf(fout) if bias else None
    y = F.linear(x, w, b)
    gy = torch.randn_like(y)
    (y * gy).sum().backward()
    for nm, t in [("x", x), ("w", w), ("y", y), ("gy", gy), ("gx", x.grad), ("gw", w.grad)]:
        save(cfg, nm, t)
    if bias:
        save(cfg, "b", b)
        save(cfg, "gb", b.grad)


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".npy"):
            os.remove(os.path.join(OUT, f))
    # Convolutions: (name, x NCHW, w, stride, padding, dilation, bias)
    conv("conv3x3_s1p1_bias", (2, 3, 6, 5), (4, 3, 3, 3), 1, 1, 1, True)
    conv("conv3x3_s2p1", (2, 4, 7, 6), (5, 4, 3, 3), 2, 1, 1, False)
    conv("conv3x3_s1p0", (2, 3, 6, 6), (4, 3, 3, 3), 1, 0, 1, False)
    conv("conv1x1_s1", (2, 6, 5, 4), (3, 6, 1, 1), 1, 0, 1, False)
    conv("conv1x1_s2", (3, 4, 7, 5), (6, 4, 1, 1), 2, 0, 1, False)
    conv("conv7x7_s2p3", (2, 3, 13, 11), (4, 3, 7, 7), 2, 3, 1, False)
    conv("conv3x3_d2p2_bias", (1, 3, 9, 8), (2, 3, 3, 3), 1, 2, 2, True)
    conv("conv_rect", (2, 2, 8, 7), (3, 2, 3, 2), (2, 1), (1, 0), (1, 2), True)
    conv("conv3x3_wide", (3, 16, 9, 7), (12, 16, 3, 3), 1, 1, 1, False)
    # Batch norm 2d (NCHW input) and 1d ([N, C] input).
    batchnorm("bn2d_train", (3, 4, 5, 6), True, False, False)
    batchnorm("bn2d_eval", (3, 4, 5, 6), False, False, False)
    batchnorm("bn2d_relu_train", (2, 5, 4, 3), True, True, False)
    batchnorm("bn2d_add_relu_train", (2, 5, 4, 3), True, True, True)
    batchnorm("bn2d_relu_eval", (2, 5, 4, 3), False, True, False)
    batchnorm("bn1d_train", (6, 5), True, False, False)
    batchnorm("bn1d_eval", (6, 5), False, False, False)
    # Pooling.
    maxpool("maxpool_k3s2p1", (2, 3, 9, 8), 3, 2, 1)
    maxpool("maxpool_k2s2p0", (2, 3, 6, 7), 2, 2, 0)
    maxpool("maxpool_k3s1p1", (1, 2, 5, 4), 3, 1, 1)
    adaptive("avgpool_1", (2, 3, 7, 5), 1, "avg")
    adaptive("avgpool_2x3", (2, 3, 7, 5), (2, 3), "avg")
    adaptive("maxpool_ad_1", (2, 3, 7, 5), 1, "max")
    adaptive("maxpool_ad_2x3", (2, 3, 7, 5), (2, 3), "max")
    adaptive("concatpool_1", (2, 4, 7, 7), 1, "concat")
    adaptive("concatpool_3x2", (2, 3, 5, 7), (3, 2), "concat")
    # Linear.
    linear("linear_bias", 4, 6, 5, True)
    linear("linear_nobias", 3, 7, 4, False)


if __name__ == "__main__":
    main()
