#!/usr/bin/env python3
"""The Fashion-MNIST recipe of examples/fashion-mnist/main.go, in PyTorch, for the
side-by-side table in the README (accuracy and wall time on the same machine).

    /usr/bin/python3 examples/fashion-mnist/torch_fashion_mnist.py [--epochs 10] [--threads 2]

Same recipe: 90/10 seeded split of the 60,000 training images (the choice of validation
images differs: numpy's permutation, not fastgo's), batch size 128, a torchvision
basic-block ResNet with blocks (2,2,2,2) and widths (16,32,64,128) whose stem is a 3×3
stride-1 convolution without max pool, fastai's cnn_learner head (concat pooling,
BatchNorm, dropout 0.25/0.5, Linear 512), kaiming init as torchvision / fastai; fastai's
Adam (β=(0.9,0.99), eps 1e-5, decoupled weight decay 0.01 except on norm weights and
biases) with fit_one_cycle(10, 5e-3): lr from 5e-3/25 up to 5e-3 over 25% of the steps
and down to 5e-8 (cosine), β1 0.95→0.85→0.95; cross-entropy with label smoothing 0.1
(--smooth). Augmentation (--aug fastai; --aug light keeps the flip and the zoom) as fastgo's
pipeline, by torchvision's nearest equivalents: flip p 0.5; with p 0.75 each a rotation
of ±10°, a zoom of 1–1.15 about a random centre, a perspective warp of 0.1; with p 0.75
each brightness and contrast changes of up to 0.2 (fastai's lighting is in logit space;
torchvision's is linear); normalised with mean 0.2860, std 0.3530 on three channels (grey
copied to RGB). It ends with the line "test accuracy 0.XXXX". OpenMP's idle threads
sleep (OMP_WAIT_POLICY=PASSIVE unless set).
"""
import argparse
import gzip
import math
import os
import time

# Idle OpenMP threads sleep instead of spinning: on a shared machine the spin-wait took
# the CPU the other thread needed (one batch of 128 measured 10× slower under load).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.transforms.functional as TF
from torchvision.models.resnet import BasicBlock, ResNet

p = argparse.ArgumentParser()
p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
p.add_argument("--epochs", type=int, default=10)
p.add_argument("--lr", type=float, default=5e-3)
p.add_argument("--bs", type=int, default=128)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--seed", type=int, default=42)
p.add_argument("--limit", type=int, default=0)
p.add_argument("--aug", default="fastai", choices=["light", "fastai"])
p.add_argument("--smooth", type=float, default=0.1)
p.add_argument("--widths", default="16,32,64,128")
args = p.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(args.seed)
rng = np.random.default_rng(args.seed)
MEAN, STD = 0.2860, 0.3530


def idx(name):
    path = os.path.join(args.data, name)
    op = gzip.open if os.path.exists(path + ".gz") else open
    with op(path + ".gz" if os.path.exists(path + ".gz") else path, "rb") as f:
        data = f.read()
    nd = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(nd)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * nd).reshape(dims)


def load(prefix):
    x, y = idx(prefix + "-images-idx3-ubyte"), idx(prefix + "-labels-idx1-ubyte")
    if args.limit:
        x, y = x[:args.limit], y[:args.limit]
    return torch.from_numpy(x.copy()).float().div_(255), torch.from_numpy(y.astype(np.int64))


def augment(img):
    """One [1, 28, 28] image in [0, 1]: fastgo's draws, torchvision's transforms."""
    if rng.random() < 0.5:
        img = TF.hflip(img)
    if args.aug == "light":
        zoom, cx, cy = rng.uniform(1, 1.15), rng.random(), rng.random()
        tx, ty = [(1 - 1 / zoom) * (0.5 - c) * 28 * zoom for c in (cx, cy)]
        return TF.affine(img, angle=0.0, translate=[tx, ty], scale=zoom, shear=[0.0],
                         interpolation=TF.InterpolationMode.BILINEAR)
    angle = rng.uniform(-10, 10) if rng.random() < 0.75 else 0.0
    zoom = rng.uniform(1, 1.15) if rng.random() < 0.75 else 1.0
    cx, cy = rng.random(), rng.random()
    # zooming by z about a centre (cx, cy) in [0,1]² moves the image by (1−1/z)(0.5−c)·side
    tx, ty = [(1 - 1 / zoom) * (0.5 - c) * 28 * zoom for c in (cx, cy)]
    if angle or zoom != 1:
        img = TF.affine(img, angle=angle, translate=[tx, ty], scale=zoom, shear=[0.0],
                        interpolation=TF.InterpolationMode.BILINEAR)
    if rng.random() < 0.75:
        d = 0.1 * 28 / 2
        start = [[0, 0], [27, 0], [27, 27], [0, 27]]
        end = [[x + rng.uniform(-d, d), y + rng.uniform(-d, d)] for x, y in start]
        img = TF.perspective(img, start, end, interpolation=TF.InterpolationMode.BILINEAR)
    if rng.random() < 0.75:
        img = TF.adjust_brightness(img, rng.uniform(0.8, 1.2))
    if rng.random() < 0.75:
        img = TF.adjust_contrast(img, math.exp(rng.uniform(math.log(0.8), -math.log(0.8))))
    return img


def batches(x, y, train):
    n = len(x)
    order = torch.from_numpy(rng.permutation(n)) if train else torch.arange(n)
    stop = n - n % args.bs if train else n
    for i in range(0, stop, args.bs):
        idx_ = order[i:i + args.bs]
        xb = x[idx_].unsqueeze(1)
        if train:
            xb = torch.stack([augment(im) for im in xb])
        xb = ((xb - MEAN) / STD).expand(-1, 3, -1, -1).contiguous()
        yield xb, y[idx_]


class ConcatPool(nn.Module):
    def forward(self, x):
        return torch.cat([F.adaptive_max_pool2d(x, 1), F.adaptive_avg_pool2d(x, 1)], 1).flatten(1)


def model():
    widths = tuple(int(w) for w in args.widths.split(","))
    r = ResNet(BasicBlock, [2, 2, 2, 2], num_classes=1000)
    # torchvision fixes the widths at 64…512: rebuild the stages with ours
    r.inplanes = widths[0]
    r.conv1 = nn.Conv2d(3, widths[0], 3, 1, 1, bias=False)
    r.bn1 = nn.BatchNorm2d(widths[0])
    r.maxpool = nn.Identity()
    r.layer1 = r._make_layer(BasicBlock, widths[0], 2)
    r.layer2 = r._make_layer(BasicBlock, widths[1], 2, stride=2)
    r.layer3 = r._make_layer(BasicBlock, widths[2], 2, stride=2)
    r.layer4 = r._make_layer(BasicBlock, widths[3], 2, stride=2)
    for m in r.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
    body = nn.Sequential(r.conv1, r.bn1, r.relu, r.maxpool, r.layer1, r.layer2, r.layer3, r.layer4)
    nf = 2 * widths[3]
    head = nn.Sequential(ConcatPool(), nn.BatchNorm1d(nf), nn.Dropout(0.25), nn.Linear(nf, 512, bias=False),
                         nn.ReLU(inplace=True), nn.BatchNorm1d(512), nn.Dropout(0.5), nn.Linear(512, 10, bias=False))
    for m in head:
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight)
        if isinstance(m, nn.BatchNorm1d):
            nn.init.constant_(m.bias, 1e-3)
    return nn.Sequential(body, head)


def evaluate(net, x, y):
    net.eval()
    hits, loss = 0, 0.0
    with torch.no_grad():
        for xb, yb in batches(x, y, False):
            out = net(xb)
            loss += F.cross_entropy(out, yb, reduction="sum", label_smoothing=args.smooth).item()
            hits += (out.argmax(1) == yb).sum().item()
    return loss / len(x), hits / len(x)


start = time.time()
xtr, ytr = load("train")
perm = rng.permutation(len(xtr))
cut = int(0.1 * len(xtr))
vi, ti = torch.from_numpy(np.sort(perm[:cut])), torch.from_numpy(np.sort(perm[cut:]))
xva, yva, xtr, ytr = xtr[vi], ytr[vi], xtr[ti], ytr[ti]
net = model()
decay = [p for n, p in net.named_parameters() if p.dim() > 1]
no_decay = [p for n, p in net.named_parameters() if p.dim() <= 1]
opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                        lr=args.lr, betas=(0.9, 0.99), eps=1e-5)
steps = args.epochs * (len(xtr) // args.bs)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=steps, pct_start=0.25,
                                            anneal_strategy="cos", div_factor=25, final_div_factor=1e5 / 25,
                                            base_momentum=0.85, max_momentum=0.95)
print(f"{len(xtr)} training, {len(xva)} validation images; {sum(p.numel() for p in net.parameters())} parameters; "
      f"{torch.get_num_threads()} threads")
print("epoch  train_loss  valid_loss  accuracy  error_rate  time")
for epoch in range(args.epochs):
    t0 = time.time()
    net.train()
    tot, n = 0.0, 0
    for xb, yb in batches(xtr, ytr, True):
        loss = F.cross_entropy(net(xb), yb, label_smoothing=args.smooth)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        tot += loss.item() * len(yb)
        n += len(yb)
    vl, acc = evaluate(net, xva, yva)
    el = int(time.time() - t0)
    print(f"{epoch:<6} {tot / n:<11.6f} {vl:<11.6f} {acc:<9.6f} {1 - acc:<11.6f} {el // 60:02d}:{el % 60:02d}", flush=True)
xte, yte = load("t10k")
_, acc = evaluate(net, xte, yte)
el = int(time.time() - start)
print(f"wall time {el // 60:02d}:{el % 60:02d} (data, training and test)")
print(f"test accuracy {acc:.4f}")
