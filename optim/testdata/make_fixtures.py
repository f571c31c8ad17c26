#!/usr/bin/python3
"""Writes the golden fixtures of fastgo's optim, optim/learner and optim/metrics tests.

Run from the repository root with Debian's Python (PyTorch 1.13):

    /usr/bin/python3 optim/testdata/make_fixtures.py

fastai itself is not installed: its formulas (optimizer.py Adam/SGD steppers,
callback/schedule.py combine_scheds/ParamScheduler, learner.py AvgSmoothLoss,
schedule.py lr_find suggestions of 2020, metrics.py accuracy_multi) are re-typed below from
SPEC.md §3–§6, using the same torch operations in the same order, so float32 rounding
matches fastai's. torch.optim.AdamW / SGD give an independent second reference.
Every array is a .npy file; float32 data stays float32, Python floats are float64.
"""
import math
import os

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
torch.manual_seed(0)
torch.set_num_threads(1)


def save(d, name, arr):
    os.makedirs(d, exist_ok=True)
    if isinstance(arr, torch.Tensor):
        arr = arr.detach().numpy()
    np.save(os.path.join(d, name + ".npy"), np.ascontiguousarray(arr))


# ---------------------------------------------------------------- optimisers (SPEC §3)
# Parameters: w0 (group 0, decayed), b0 (group 0, no decay), w1 (group 1, decayed, its
# gradient is always zero: the stale-gradient case).
SHAPES = {"w0": (3, 4), "b0": (4,), "w1": (5, 2)}
GROUP = {"w0": 0, "b0": 0, "w1": 1}
DECAY = {"w0": True, "b0": False, "w1": True}
T = 6


def fastai_adam(init, grads, lrs, moms, sqr_mom=0.99, eps=1e-5, wd=0.01):
    """fastai Adam: weight_decay, average_grad(dampening), average_sqr_grad, step_stat, adam_step."""
    ps = {k: v.clone() for k, v in init.items()}
    st = {k: {} for k in init}
    hist = {k: [] for k in init}
    for t in range(T):
        for k, p in ps.items():
            lr, mom = lrs[t][GROUP[k]], moms[t]
            g = grads[k][t]
            if DECAY[k] and wd != 0:
                p.mul_(1 - lr * wd)
            s = st[k]
            if "grad_avg" not in s:
                s["grad_avg"] = torch.zeros_like(g)
                s["sqr_avg"] = torch.zeros_like(g)
                s["step"] = 0
            s["grad_avg"].mul_(mom).add_(g, alpha=1 - mom)
            s["sqr_avg"].mul_(sqr_mom).addcmul_(g, g, value=1 - sqr_mom)
            s["step"] += 1
            step = s["step"]
            debias1 = (1 - mom) * (1 - mom ** step) / (1 - mom)
            debias2 = (1 - sqr_mom) * (1 - sqr_mom ** step) / (1 - sqr_mom)
            p.addcdiv_(s["grad_avg"], (s["sqr_avg"] / debias2).sqrt() + eps, value=-lr / debias1)
            hist[k].append(p.clone())
    return hist, st


def torch_adamw(init, grads, lrs, moms, sqr_mom=0.99, eps=1e-5, wd=0.01):
    ps = {k: torch.nn.Parameter(v.clone()) for k, v in init.items()}
    groups = [
        {"params": [ps["w0"]], "weight_decay": wd, "g": 0},
        {"params": [ps["b0"]], "weight_decay": 0.0, "g": 0},
        {"params": [ps["w1"]], "weight_decay": wd, "g": 1},
    ]
    opt = torch.optim.AdamW(groups, lr=1e-3, betas=(0.9, sqr_mom), eps=eps)
    hist = {k: [] for k in init}
    for t in range(T):
        for pg in opt.param_groups:
            pg["lr"] = lrs[t][pg["g"]]
            pg["betas"] = (moms[t], sqr_mom)
        for k, p in ps.items():
            p.grad = grads[k][t].clone()
        opt.step()
        for k, p in ps.items():
            hist[k].append(p.detach().clone())
    return hist


def fastai_sgd(init, grads, lrs, mom, wd):
    """fastai SGD with momentum: weight_decay, average_grad (no dampening), momentum_step."""
    ps = {k: v.clone() for k, v in init.items()}
    avg = {k: torch.zeros_like(v) for k, v in init.items()}
    hist = {k: [] for k in init}
    for t in range(T):
        for k, p in ps.items():
            lr = lrs[t][GROUP[k]]
            if DECAY[k] and wd != 0:
                p.mul_(1 - lr * wd)
            avg[k].mul_(mom).add_(grads[k][t], alpha=1.0)
            p.add_(avg[k], alpha=-lr)
            hist[k].append(p.clone())
    return hist


def torch_sgd(init, grads, lrs, mom):
    ps = {k: torch.nn.Parameter(v.clone()) for k, v in init.items()}
    groups = [{"params": [ps[k]], "g": GROUP[k]} for k in init]
    opt = torch.optim.SGD(groups, lr=1e-3, momentum=mom)
    hist = {k: [] for k in init}
    for t in range(T):
        for pg in opt.param_groups:
            pg["lr"] = lrs[t][pg["g"]]
        for k, p in ps.items():
            p.grad = grads[k][t].clone()
        opt.step()
        for k, p in ps.items():
            hist[k].append(p.detach().clone())
    return hist


def optim_fixtures():
    d = os.path.join(ROOT, "optim", "testdata", "step")
    init = {k: torch.randn(s) for k, s in SHAPES.items()}
    grads = {k: torch.randn((T,) + s) * 0.5 for k, s in SHAPES.items()}
    grads["w1"].zero_()
    lrs = np.array([[1e-2 * (1 + t), 3e-2 / (1 + t)] for t in range(T)], dtype=np.float64)
    moms = np.array([0.95 - 0.02 * t for t in range(T)], dtype=np.float64)
    for k in SHAPES:
        save(d, "init_" + k, init[k])
        save(d, "grads_" + k, grads[k])
    save(d, "lrs", lrs)
    save(d, "moms", moms)
    lrs_l, moms_l = lrs.tolist(), moms.tolist()
    hist, st = fastai_adam(init, grads, lrs_l, moms_l)
    for k in SHAPES:
        save(d, "adam_fastai_" + k, torch.stack(hist[k]))
        save(d, "adam_fastai_m_" + k, st[k]["grad_avg"])
        save(d, "adam_fastai_v_" + k, st[k]["sqr_avg"])
    hist = torch_adamw(init, grads, lrs_l, moms_l)
    for k in SHAPES:
        save(d, "adam_torch_" + k, torch.stack(hist[k]))
    hist = fastai_sgd(init, grads, lrs_l, 0.9, 0.01)
    for k in SHAPES:
        save(d, "sgd_fastai_" + k, torch.stack(hist[k]))
    hist = torch_sgd(init, grads, lrs_l, 0.9)
    for k in SHAPES:
        save(d, "sgd_torch_" + k, torch.stack(hist[k]))


# ---------------------------------------------------------------- schedules (SPEC §4)
class SchedCos:
    def __init__(self, start, end):
        self.start, self.end = start, end

    def __call__(self, pos):
        return self.start + (1 + math.cos(math.pi * (1 - pos))) * (self.end - self.start) / 2


def combine_scheds(pcts, scheds):
    """fastai 2020 (fastai2 0.0.30) combine_scheds: float32 bounds and float32 fraction."""
    assert sum(pcts) == 1.0
    pcts = torch.tensor([0] + list(pcts))
    assert torch.all(pcts >= 0)
    pcts = torch.cumsum(pcts, 0)

    def _inner(pos):
        if int(pos) == 1:
            return scheds[-1](1.0)
        idx = (pos >= pcts).nonzero().max()
        actual_pos = (pos - pcts[idx]) / (pcts[idx + 1] - pcts[idx])
        return scheds[idx](actual_pos.item())

    return _inner


def combined_cos(pct, start, middle, end):
    return combine_scheds([pct, 1 - pct], [SchedCos(start, middle), SchedCos(middle, end)])


def even_mults(start, stop, n):
    if n == 1:
        return stop
    mult = stop / start
    step = mult ** (1 / (n - 1))
    return [start * (step ** i) for i in range(n)]


def one_cycle(n_epoch, n_iter, lr_max, div=25.0, div_final=1e5, pct_start=0.25, moms=(0.95, 0.85, 0.95)):
    lr_max = np.array(lr_max)
    lr_s = combined_cos(pct_start, lr_max / div, lr_max, lr_max / div_final)
    mom_s = combined_cos(pct_start, *moms)
    lrs, ms, pcts = [], [], []
    for epoch in range(n_epoch):
        pct_train = epoch / n_epoch  # TrainEvalCallback.before_train
        for _ in range(n_iter):
            lrs.append(np.array(lr_s(pct_train), dtype=np.float64))
            ms.append(mom_s(pct_train))
            pcts.append(pct_train)
            pct_train += 1.0 / (n_iter * n_epoch)  # TrainEvalCallback.after_batch
    return np.stack(lrs), np.array(ms), np.array(pcts)


def sched_fixtures():
    d = os.path.join(ROOT, "optim", "testdata", "onecycle")
    cases = {
        # name: (n_epoch, n_iter, lr_max per group, div, div_final, pct_start)
        "fit4_5e-2": (4, 39, [5e-2] * 3, 25.0, 1e5, 0.25),
        "finetune_frozen": (1, 39, [2e-3 / 10, 2e-3 / 10, 2e-3], 25.0, 1e5, 0.99),
        "finetune_unfrozen": (1, 39, even_mults(1e-5, 1e-3, 3), 5.0, 1e5, 0.3),
        "fit3_5e-3_n7": (3, 7, [5e-3] * 3, 25.0, 1e5, 0.25),
        "fit4_slice_n10": (4, 10, even_mults(1e-6, 1e-4, 3), 25.0, 1e5, 0.25),
    }
    for name, (ne, ni, lm, div, divf, pct) in cases.items():
        lrs, ms, pcts = one_cycle(ne, ni, lm, div, divf, pct)
        save(d, name + "_lr", lrs)
        save(d, name + "_mom", ms)
        save(d, name + "_pos", pcts)
        save(d, name + "_args", np.array([ne, ni, div, divf, pct] + list(lm), dtype=np.float64))


# ---------------------------------------------------------------- lr_find (SPEC §5)
def lr_find_fixtures():
    d = os.path.join(ROOT, "optim", "learner", "testdata", "lrfind")
    num_it, start_lr, end_lr = 100, 1e-7, 10
    cases = {}
    k = np.arange(num_it)
    # A loss that falls, flattens and diverges, with noise: stops on the 4x rule.
    base = 0.7 - 0.45 / (1 + np.exp(-(k - 45) / 6)) + np.exp((k - 80) / 4.0)
    cases["diverge"] = (base + 0.01 * np.random.RandomState(1).randn(num_it)).astype(np.float32)
    # A loss that keeps falling: runs all 100 iterations.
    cases["full"] = (1.0 / (1 + 0.05 * k) + 0.005 * np.random.RandomState(2).randn(num_it)).astype(np.float32)
    # A loss that turns NaN half-way: NaN never stops the sweep (NaN comparisons are False).
    nan = (0.9 - 0.002 * k).astype(np.float32)
    nan[60:] = np.nan
    cases["nan"] = nan
    for name, raw in cases.items():
        val, count, best = torch.tensor(0.0), 0, float("inf")
        lrs, losses = [], []
        for it in range(num_it):
            lr = start_lr * (end_lr / start_lr) ** (it / num_it)  # SchedExp at train_iter/num_it
            count += 1
            val = torch.lerp(torch.tensor(raw[it]), val, 0.98)  # AvgSmoothLoss.accumulate
            smooth = val / (1 - 0.98 ** count)  # AvgSmoothLoss.value
            lrs.append(lr)
            losses.append(smooth)
            if smooth < best:
                best = smooth
            if smooth > 4 * best:
                break
            if it + 1 >= num_it:
                break
        save(d, name + "_raw", raw)
        save(d, name + "_lrs", np.array(lrs, dtype=np.float64))
        save(d, name + "_smooth", torch.stack(losses))
        t_lrs, t_losses = torch.tensor(lrs[num_it // 10:-5]), torch.tensor(losses[num_it // 10:-5])
        lr_min = t_lrs[t_losses.argmin()].item()
        grads = (t_losses[1:] - t_losses[:-1]) / (t_lrs[1:].log() - t_lrs[:-1].log())
        lr_steep = t_lrs[grads.argmin()].item()
        save(d, name + "_suggest", np.array([lr_min / 10.0, lr_steep], dtype=np.float64))


# ---------------------------------------------------------------- accuracy_multi (SPEC §6)
def metrics_fixtures():
    d = os.path.join(ROOT, "optim", "metrics", "testdata")
    logits = torch.randn(37, 5) * 2
    logits[0, :] = 0.0  # sigmoid exactly 0.5: never > 0.5
    targ = (torch.rand(37, 5) < 0.3).float()
    accs = []
    for i in range(1, 10):
        thresh = i / 10
        inp, t = logits.sigmoid(), targ
        accs.append(((inp > thresh) == t.bool()).float().mean().item())
    save(d, "acc_logits", logits)
    save(d, "acc_targets", targ)
    save(d, "acc_thresh_0.1_to_0.9", np.array(accs, dtype=np.float64))


if __name__ == "__main__":
    optim_fixtures()
    sched_fixtures()
    lr_find_fixtures()
    metrics_fixtures()
    print("fixtures written under", ROOT)
