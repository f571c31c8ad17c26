#!/usr/bin/env python3
"""Writes the PyTorch fixtures for autograd.CrossEntropy and the single-label metrics.

Run from the repository root with Debian's PyTorch (torch 1.13):

    /usr/bin/python3 autograd/testdata/gen_cross_entropy.py

For each case it saves float32 .npy files in autograd/testdata/cross_entropy/:
<case>_x.npy (logits [B, C]), <case>_t.npy (one-hot targets [B, C]; fastai's
CrossEntropyLossFlat takes class indices, which are their arg-max), <case>_loss.npy
(F.cross_entropy, mean reduction) and <case>_gx.npy (d loss / d logits). The "large"
case has logits of ±80, where a naive softmax overflows. The metric fixture
(optim/metrics/testdata/single_*.npy) holds logits, one-hot targets and fastai's
accuracy, error_rate and top_k_accuracy(k=3) computed with torch's argmax and topk.
"""
import os

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "cross_entropy")
MET = os.path.join(HERE, "..", "..", "optim", "metrics", "testdata")
os.makedirs(OUT, exist_ok=True)
torch.manual_seed(20261205)


def save(d, name, t):
    np.save(os.path.join(d, name + ".npy"), np.ascontiguousarray(t.detach().numpy().astype(np.float32)))


for case, b, c, scale in [("small", 4, 3, 1.0), ("fmnist", 16, 10, 3.0), ("large", 5, 7, 80.0)]:
    x = (torch.randn(b, c) * scale).requires_grad_(True)
    y = torch.randint(0, c, (b,))
    loss = F.cross_entropy(x, y)
    loss.backward()
    save(OUT, case + "_x", x)
    save(OUT, case + "_t", F.one_hot(y, c).float())
    save(OUT, case + "_loss", loss.reshape(1))
    save(OUT, case + "_gx", x.grad)

# Metrics: 37 rows of 10 classes (an odd batch), two rows with tied logits: row 3 ties
# for first place (argmax takes the first), row 7 inside the top 3 (the tie decides no
# top-3 membership, so torch.topk's unspecified choice among equal values does not matter).
b, c = 37, 10
x = torch.randn(b, c)
x[3, 4] = x[3, 8] = 5.0
x[7, 2] = x[7, 5] = 4.0
y = torch.randint(0, c, (b,))
acc = (x.argmax(dim=-1) == y).float().mean()
top3 = (x.topk(3, dim=-1)[1] == y[:, None]).any(dim=-1).float().mean()
save(MET, "single_logits", x)
save(MET, "single_targets", F.one_hot(y, c).float())
save(MET, "single_values", torch.stack([acc, 1 - acc, top3]))
