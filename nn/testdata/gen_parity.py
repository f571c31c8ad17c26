#!/usr/bin/python3
"""Writes the model-level parity fixtures of fastgo's nn package (see README.md here).

Run from this folder with Debian's PyTorch 1.13 + torchvision 0.14:

    /usr/bin/python3 gen_parity.py

It writes two fixture sets:

small/      a ResNet34 of full depth ([3,4,6,3] BasicBlocks) but stage widths
            8/16/32/64, wrapped fastai-style as Sequential(body, create_head(128, 20)),
            with random weights and non-trivial BN statistics: the torch.save'd state
            dict, an input batch, targets, eval and train logits, the seed loss, every
            parameter gradient and the BN running statistics after one train forward.
small_resnet18/, small_resnet50/
            the same for ResNet18 and ResNet50 (bottleneck blocks, so outputs
            16/32/64/128), both at widths 4/8/16/32, with the body stored as
            torchvision's ResNet state dict and the head separately, and without the
            activations, running statistics and head gradients (the resnet34 set
            checks those).
fullwidth/  torchvision's ResNet34 body + fastai head for 20 classes at full width,
            every parameter and buffer filled by an integer-hash formula that Go can
            reproduce bit for bit (no 87 MB weight file to commit), with eval logits
            and per-stage activations for a 1x3x64x64 input.
fullwidth_resnet18/, fullwidth_resnet50/
            the same for ResNet18 and ResNet50 (logits only).
torchvision_keys.json
            the names and shapes of torchvision's resnet18/34/50 state dicts.

Float64 copies of the models give reference outputs (*_f64.npy) so that a Go result
can be judged against the exact answer, not only against torch's float32 rounding.
"""
import copy
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models import resnet

N_CLASSES = 20
HEAD_HIDDEN = 512  # fastai's default lin_ftrs hidden size


# ---------------------------------------------------------------- model definition

class NarrowResNet(resnet.ResNet):
    """torchvision's ResNet with custom stage widths (its constructor fixes 64..512)."""

    def __init__(self, layers, widths, block=resnet.BasicBlock, num_classes=1000):
        nn.Module.__init__(self)
        self._norm_layer = nn.BatchNorm2d
        self.inplanes = widths[0]
        self.dilation = 1
        self.groups = 1
        self.base_width = 64
        self.conv1 = nn.Conv2d(3, widths[0], kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, widths[0], layers[0])
        self.layer2 = self._make_layer(block, widths[1], layers[1], stride=2)
        self.layer3 = self._make_layer(block, widths[2], layers[2], stride=2)
        self.layer4 = self._make_layer(block, widths[3], layers[3], stride=2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(widths[3] * block.expansion, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")


class AdaptiveConcatPool2d(nn.Module):
    """fastai's AdaptiveConcatPool2d(1): cat([max, avg], dim=1), max first."""

    def __init__(self):
        super().__init__()
        self.mp = nn.AdaptiveMaxPool2d(1)
        self.ap = nn.AdaptiveAvgPool2d(1)

    def forward(self, x):
        return torch.cat([self.mp(x), self.ap(x)], 1)


class Flatten(nn.Module):
    """fastai's Flatten(full=False): x.view(batch, -1)."""

    def forward(self, x):
        return x.view(x.size(0), -1)


def create_head(nf, n_out):
    """fastai create_head(nf, n_out) with its defaults (lin_ftrs [nf, 512, n_out],
    ps [0.25, 0.5], concat pooling, no final BN), initialised like fastai: Linear
    weights kaiming_normal_ (fan_in), BN weight 1 and bias 1e-3."""
    head = nn.Sequential(
        AdaptiveConcatPool2d(), Flatten(),
        nn.BatchNorm1d(nf), nn.Dropout(0.25), nn.Linear(nf, HEAD_HIDDEN, bias=False), nn.ReLU(inplace=True),
        nn.BatchNorm1d(HEAD_HIDDEN), nn.Dropout(0.5), nn.Linear(HEAD_HIDDEN, n_out, bias=False))
    for m in head:
        if isinstance(m, nn.Linear):
            nn.init.kaiming_normal_(m.weight)
        elif isinstance(m, nn.BatchNorm1d):
            nn.init.constant_(m.weight, 1.0)
            nn.init.constant_(m.bias, 1e-3)
    return head


# torchvision's architectures: blocks per stage and block kind.
ARCHS = {
    "resnet18": ([2, 2, 2, 2], resnet.BasicBlock),
    "resnet34": ([3, 4, 6, 3], resnet.BasicBlock),
    "resnet50": ([3, 4, 6, 3], resnet.Bottleneck),
}


def fastai_model(widths, arch="resnet34", num_classes=1000):
    """Sequential(body, head): body = the first 8 children of the ResNet (cut=-2).
    Returns the model and the whole torchvision ResNet whose modules the body shares."""
    layers, block = ARCHS[arch]
    r = NarrowResNet(layers, widths, block, num_classes)
    body = nn.Sequential(*list(r.children())[:8])
    return nn.Sequential(body, create_head(2 * widths[3] * block.expansion, N_CLASSES)), r


# ---------------------------------------------------------------- helpers

def save_npy(path, t):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    a = t.detach().cpu().numpy() if torch.is_tensor(t) else np.asarray(t)
    np.save(path, a)


def stage_outputs(model, x):
    """Eval or train forward that also returns the activations after the stem
    (conv1, bn1, relu, maxpool), after each of layer1..4, and after the head's
    concat pooling + flatten (the head's input features)."""
    body, head = model[0], model[1]
    acts = {}
    h = x
    for i, name in [(0, None), (1, None), (2, None), (3, "stem"), (4, "layer1"), (5, "layer2"), (6, "layer3"), (7, "layer4")]:
        h = body[i](h)
        if name:
            acts[name] = h
    z = head[1](head[0](h))
    acts["pooled"] = z
    for m in list(head)[2:]:
        z = m(z)
    return z, acts


def seed_loss(x, t):
    """The seed's loss: mean over all elements of -log σ(x) where t=1 and
    -log(1-σ(x)) where t=0, computed exactly as the seed does."""
    return -torch.where(t == 1, torch.sigmoid(x), 1 - torch.sigmoid(x)).log().mean()


ERRORS = {}


def note_error(name, t32, t64):
    """Records how far torch's float32 result is from the float64 reference, for the
    Go tests' tolerances (written to <set>/f32_error.json)."""
    d = (t32.detach().double() - t64.detach().double()).abs()
    ERRORS[name] = {"max_abs_err": float(d.max()) if d.numel() else 0.0,
                    "max_abs": float(t64.detach().double().abs().max()) if d.numel() else 0.0}


def write_errors(path):
    with open(path, "w") as f:
        json.dump(ERRORS, f, indent=0, sort_keys=True)
    ERRORS.clear()


def max_rel(a, b):
    """max |a-b| / max|b| (one number per tensor, for the README's tolerances)."""
    a, b = a.double(), b.double()
    return float((a - b).abs().max() / b.abs().max().clamp_min(1e-30))


# ---------------------------------------------------------------- small model

def relu_margin(model, x):
    """The smallest |input| of any ReLU in a float64 train-mode and eval-mode forward of a
    copy of model: how far the nearest activation is from the ReLU's kink."""
    ref = copy.deepcopy(model).double()
    for m in ref.modules():
        if isinstance(m, nn.Dropout):
            m.p = 0.0
    seen = []
    hooks = [m.register_forward_pre_hook(lambda m, i: seen.append(i[0].detach().abs().min().item()))
             for m in ref.modules() if isinstance(m, nn.ReLU)]
    with torch.no_grad():
        for train in (False, True):
            ref.train(train)
            stage_outputs(ref, x.double())
    for h in hooks:
        h.remove()
    return min(seen)


def small_candidate(seed, arch="resnet34", widths=(8, 16, 32, 64)):
    """The small model, input and target drawn with generator seed `seed` (and the
    torchvision ResNet that shares the model's body)."""
    torch.manual_seed(0)
    # The extra sets keep torchvision's file small: a 10-class classifier (ignored by
    # fastai's body, which drops it).
    model, tv = fastai_model(list(widths), arch, 1000 if arch == "resnet34" else 10)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
                c = m.num_features
                m.weight.copy_(torch.rand(c, generator=g) + 0.5)          # U(0.5, 1.5)
                m.bias.copy_(torch.randn(c, generator=g) * 0.2)           # N(0, 0.2²)
                m.running_mean.copy_(torch.randn(c, generator=g) * 0.2)   # N(0, 0.2²)
                m.running_var.copy_(torch.rand(c, generator=g) * 1.5 + 0.5)  # U(0.5, 2)
                m.num_batches_tracked.fill_(5)
    # Images that differ in contrast and colour, so that the pooled features vary across
    # the batch (white noise alone gives nearly equal pooled features, and the head's
    # train-mode BatchNorm1d over 4 samples then cancels catastrophically).
    x = torch.randn(4, 3, 64, 64, generator=g) * torch.tensor([0.5, 1.0, 1.5, 2.0]).view(4, 1, 1, 1) \
        + torch.randn(4, 3, 1, 1, generator=g)
    target = (torch.rand(4, N_CLASSES, generator=g) < 0.3).float()
    target[:, 0] = torch.tensor([1.0, 0.0, 1.0, 0.0])  # every row has a positive and a negative
    target[:, 1] = torch.tensor([0.0, 1.0, 0.0, 1.0])
    return model, tv, x, target


# A ReLU input within float32 rounding of zero flips its mask depending on summation
# order, which changes that channel's gradients by a whole dy and everything upstream of
# it: such a fixture would test luck, not arithmetic. The first generator seed whose
# every ReLU input is at least RELU_MARGIN away from zero is used.
RELU_MARGIN = 1e-5


def small(d="small", arch="resnet34", widths=(8, 16, 32, 64)):
    """Writes a small set into folder d. The seed's resnet34 set stores the fastai
    model's state dict (state_dict.pth); the others store the body as torchvision's
    ResNet state dict (torchvision.pth: conv1.weight, layer1.0.conv1.weight, …, fc.*)
    and the head's (head.pth: 2.weight, 4.weight, …), which also checks loading
    torchvision files of that architecture."""
    seed = 1
    while True:
        model, tv, x, target = small_candidate(seed, arch, widths)
        margin = relu_margin(model, x)
        if margin >= RELU_MARGIN:
            break
        print("%s: seed %d has a ReLU input %.2e from zero; trying the next" % (d, seed, margin))
        seed += 1
    print("%s: generator seed %d, smallest |ReLU input| %.2e" % (d, seed, margin))

    os.makedirs(d, exist_ok=True)
    if arch == "resnet34":
        torch.save(model.state_dict(), d + "/state_dict.pth")
    else:
        torch.save(tv.state_dict(), d + "/torchvision.pth")
        torch.save(model[1].state_dict(), d + "/head.pth")
    save_npy(d + "/input.npy", x)
    save_npy(d + "/target.npy", target)
    ref = copy.deepcopy(model).double()

    # Eval mode: running statistics, dropout off.
    model.eval(), ref.eval()
    with torch.no_grad():
        y, acts = stage_outputs(model, x)
        y64, acts64 = stage_outputs(ref, x.double())
    save_npy(d + "/logits_eval.npy", y)
    save_npy(d + "/logits_eval_f64.npy", y64)
    note_error("logits_eval", y, y64)
    for k, v in acts.items():
        if arch == "resnet34":  # the other sets keep to what the tests read, to stay small
            save_npy(d + "/act_eval/%s.npy" % k, v)
            note_error("act_eval/" + k, v, acts64[k])
    print(d + " eval: logits f32 vs f64 max rel %.2e" % max_rel(y, y64))

    # Train mode with dropout disabled: batch statistics, running stats updated once.
    for net in (model, ref):
        net.train()
        for m in net.modules():
            if isinstance(m, nn.Dropout):
                m.p = 0.0
    xg = x.clone().requires_grad_(True)
    y, acts = stage_outputs(model, xg)
    loss = seed_loss(y, target)
    loss.backward()
    x64 = x.double().requires_grad_(True)
    y64, acts64 = stage_outputs(ref, x64)
    loss64 = seed_loss(y64, target.double())
    loss64.backward()
    save_npy(d + "/logits_train.npy", y)
    save_npy(d + "/logits_train_f64.npy", y64)
    note_error("logits_train", y, y64)
    note_error("loss", loss, loss64)
    note_error("grad_input", xg.grad, x64.grad)
    for k, v in acts.items():
        if arch == "resnet34":
            save_npy(d + "/act_train/%s.npy" % k, v)
            note_error("act_train/" + k, v, acts64[k])
    save_npy(d + "/loss.npy", loss)
    save_npy(d + "/loss_f64.npy", loss64)
    save_npy(d + "/loss_bcewithlogits.npy", F.binary_cross_entropy_with_logits(y.detach(), target))
    save_npy(d + "/grad_input.npy", xg.grad)
    worst = ("", 0.0)
    params64 = dict(ref.named_parameters())
    rels = []
    for k, p in model.named_parameters():
        if arch != "resnet34" and k.startswith("1."):
            continue  # the head's gradients do not depend on the body; the resnet34 set has them
        save_npy(d + "/grad/%s.npy" % k, p.grad)
        r = max_rel(p.grad, params64[k].grad)
        rels.append(r)
        note_error("grad/" + k, p.grad, params64[k].grad)
        if r > worst[1]:
            worst = (k, r)
    print(d + " grads f32 vs f64 max rel: median %.2e, 90%% %.2e" % (np.median(rels), np.quantile(rels, 0.9)))
    sd, sd64 = model.state_dict(), ref.state_dict()
    for k, v in sd.items():
        if arch == "resnet34" and k.endswith(("running_mean", "running_var", "num_batches_tracked")):
            save_npy(d + "/running/%s.npy" % k, v)
            note_error("running/" + k, v, sd64[k])
    write_errors(d + "/f32_error.json")
    print(d + " train: per-stage f32 vs f64 max rel: " + ", ".join(
        "%s %.2e" % (k, max_rel(v, acts64[k])) for k, v in acts.items()))
    print(d + " train: logits rel %.2e, loss f32 %.9g f64 %.12g, grad_input rel %.2e, worst grad rel %.2e (%s)"
          % (max_rel(y, y64), loss.item(), loss64.item(), max_rel(xg.grad, x64.grad), worst[1], worst[0]))


# ---------------------------------------------------------------- full-width formula model

def hash_u(k, n):
    """u_j for j = 0..n-1 of tensor number k: a 32-bit integer hash mapped to [-0.5, 0.5)
    exactly (see README.md). Returns float64."""
    j = np.arange(n, dtype=np.uint64)
    m = np.uint64(0xFFFFFFFF)
    h = (j * np.uint64(2654435761) + np.uint64(k + 1) * np.uint64(2246822519)) & m
    h ^= h >> np.uint64(15)
    h = (h * np.uint64(2246822519)) & m
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(3266489917)) & m
    h ^= h >> np.uint64(16)
    return h.astype(np.float64) / 4294967296.0 - 0.5


def formula_value(key, k, shape):
    """The formula tensor for state-dict entry number k (float32 or int64 numpy)."""
    n = int(np.prod(shape)) if len(shape) else 1
    if key.endswith("num_batches_tracked"):
        return np.zeros(shape, dtype=np.int64)
    u = hash_u(k, n)
    if len(shape) >= 2:  # conv or linear weight: uniform with variance 2/fan_in
        fan_in = int(np.prod(shape[1:]))
        v = np.sqrt(24.0 / fan_in) * u
    elif key.endswith("weight"):
        v = 0.75 + 0.5 * u
    elif key.endswith("bias"):
        v = 0.1 * u
    elif key.endswith("running_mean"):
        v = 0.1 * u
    elif key.endswith("running_var"):
        v = 1.0 + 0.5 * u
    else:
        raise ValueError(key)
    return v.astype(np.float32).reshape(shape)


def fullwidth(d="fullwidth", arch="resnet34"):
    """Writes a full-width set into folder d; only the seed's resnet34 set also stores
    the per-stage activations (the others keep to the logits, to stay small)."""
    torch.manual_seed(0)
    model, _ = fastai_model([64, 128, 256, 512], arch)
    sd = model.state_dict()
    samples = {}
    new = {}
    for k, (key, v) in enumerate(sd.items()):
        a = formula_value(key, k, tuple(v.shape))
        new[key] = torch.from_numpy(a)
        flat = a.reshape(-1)
        samples[key] = {"k": k, "shape": list(v.shape), "first": [float(z) for z in flat[:4]],
                        "last": float(flat[-1]), "sum": float(flat.astype(np.float64).sum())}
    model.load_state_dict(new)
    # Input: the same hash with k = 100000, scaled to unit variance.
    x = torch.from_numpy((np.sqrt(12.0) * hash_u(100000, 3 * 64 * 64)).astype(np.float32).reshape(1, 3, 64, 64))
    os.makedirs(d, exist_ok=True)
    save_npy(d + "/input.npy", x)
    with open(d + "/formula_samples.json", "w") as f:
        json.dump(samples, f, indent=0)
    model.eval()
    ref = copy.deepcopy(model).double().eval()
    with torch.no_grad():
        y, acts = stage_outputs(model, x)
        y64, acts64 = stage_outputs(ref, x.double())
    save_npy(d + "/logits_eval.npy", y)
    save_npy(d + "/logits_eval_f64.npy", y64)
    note_error("logits_eval", y, y64)
    if arch == "resnet34":
        for k, v in acts.items():
            save_npy(d + "/act_eval/%s.npy" % k, v)
            note_error("act_eval/" + k, v, acts64[k])
    write_errors(d + "/f32_error.json")
    print(d + " eval: logits f32 vs f64 max rel %.2e; |logits| max %.3g; act std: %s"
          % (max_rel(y, y64), y.abs().max().item(),
             ", ".join("%s %.3g" % (k, v.std().item()) for k, v in acts.items())))


def torchvision_keys():
    """torchvision's own resnet18/34/50 state-dict entries (name and shape, in file
    order), so that the Go tests check fastgo's names against the real networks without
    their weight files."""
    from torchvision import models
    out = {}
    for name in ARCHS:
        m = getattr(models, name)()
        out[name] = [[k, list(v.shape)] for k, v in m.state_dict().items()]
    with open("torchvision_keys.json", "w") as f:
        json.dump(out, f, indent=0)


if __name__ == "__main__":
    torch.set_num_threads(1)
    small()
    fullwidth()
    small("small_resnet18", "resnet18", (4, 8, 16, 32))
    small("small_resnet50", "resnet50", (4, 8, 16, 32))
    fullwidth("fullwidth_resnet18", "resnet18")
    fullwidth("fullwidth_resnet50", "resnet50")
    torchvision_keys()
