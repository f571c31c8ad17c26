#!/usr/bin/python3
"""Writes the golden fixtures of fastgo's vision tests (run from this folder with
Debian's /usr/bin/python3: PIL, numpy, torch 1.13).

    cd vision/testdata && /usr/bin/python3 make_fixtures.py

Everything is .npy (uint8 images as |u1, the rest float32) plus small text manifests, so the Go tests need only tensor.LoadNPY. The torch code re-states fastai's
batch-transform maths (SPEC §1.5-1.7: affine_mat/flip/rotate/zoom, find_coeffs +
apply_perspective, _grid_sample's area pre-shrink, lighting, Normalize) in float32 as
fastai runs them, for explicit parameters instead of random draws.
"""
import math
import os

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

rng = np.random.default_rng(20240607)


def save(path, arr):
    np.save(path, np.asarray(arr, dtype=np.float32))


def save_u8(path, arr):
    assert arr.dtype == np.uint8
    np.save(path, arr)


def smooth_image(h, w, noise=12.0):
    """A varied but smooth-ish uint8 RGB test image."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
    out = np.zeros((h, w, 3))
    for c in range(3):
        fx, fy, ph = rng.uniform(0.05, 0.4), rng.uniform(0.05, 0.4), rng.uniform(0, 6)
        out[..., c] = 128 + 90 * np.sin(fx * xx + ph) * np.cos(fy * yy - ph)
    out += rng.normal(0, noise, out.shape)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


# --- 1. PIL BILINEAR resize of a crop -------------------------------------------------
os.makedirs("pil_resize", exist_ok=True)
cases = [  # src w, h, crop box (l, t, r, b), out w, h
    (30, 20, (3, 0, 23, 20), 46, 46),      # upscale, as Resize(460) on small images
    (50, 64, (0, 7, 50, 57), 13, 13),      # downscale (wider triangle)
    (17, 9, (0, 0, 17, 9), 31, 5),         # mixed up/down, not square
    (12, 12, (2, 2, 9, 9), 7, 7),          # same size: no pass at all
    (1, 1, (0, 0, 1, 1), 5, 3),            # single pixel
    (40, 33, (1, 2, 40, 31), 40, 61),      # width unchanged: vertical pass only
    (128, 170, (0, 20, 128, 148), 230, 230),  # the real ratio 256 -> 460
]
with open("pil_resize/cases.txt", "w") as f:
    for k, (w, h, box, ow, oh) in enumerate(cases):
        src = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        out = np.asarray(Image.fromarray(src).crop(box).resize((ow, oh), Image.BILINEAR))
        save_u8(f"pil_resize/case{k}_src.npy", src)
        save_u8(f"pil_resize/case{k}_out.npy", out)
        f.write(f"{k} {w} {h} {box[0]} {box[1]} {box[2]} {box[3]} {ow} {oh}\n")

# --- 2. JPEG decoding as PIL (libjpeg-turbo) does it ------------------------------------
os.makedirs("jpeg", exist_ok=True)
base = smooth_image(37, 45, noise=6)
jpegs = {
    "q90_420": dict(img=Image.fromarray(base), quality=90, subsampling=2),
    "q90_422": dict(img=Image.fromarray(base[:20, :33]), quality=90, subsampling=1),
    "q95_444": dict(img=Image.fromarray(base), quality=95, subsampling=0),
    "q85_420_progressive": dict(img=Image.fromarray(base[:, :44]), quality=85, subsampling=2, progressive=True),
    "gray": dict(img=Image.fromarray(base).convert("L"), quality=90),
    "cmyk": dict(img=Image.fromarray(base).convert("CMYK"), quality=92),
}
for name, kw in jpegs.items():
    img = kw.pop("img")
    path = f"jpeg/{name}.jpg"
    img.save(path, **kw)
    save_u8(f"jpeg/{name}_pil.npy", np.asarray(Image.open(path).convert("RGB")))

# --- 3. batch transforms (fastai maths in torch, float32) ------------------------------
R, S = 46, 22           # a scaled-down 460 -> 224 (same rules: d = 1.045 > 1)
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def affine(p):
    """fastai M = F . R . Z for params [flip, rot_deg, zoom, cx, cy, ...] (B, 3, 3)."""
    f, deg, zoom, cx, cy = (p[:, i] for i in range(5))
    th = deg * math.pi / 180
    one, zero = torch.ones_like(f), torch.zeros_like(f)
    def mat(a, b, c, d, e, g):
        return torch.stack([torch.stack([a, b, c], 1), torch.stack([d, e, g], 1),
                            torch.stack([zero, zero, one], 1)], 1)
    Fm = mat(f, zero, zero, zero, one, zero)
    Rm = mat(th.cos(), th.sin(), zero, -th.sin(), th.cos(), zero)
    s = 1 / zoom
    Zm = mat(s, zero, (1 - s) * (2 * cx - 1), zero, s, (1 - s) * (2 * cy - 1))
    return Fm @ Rm @ Zm


def homography(mx, my):
    """find_coeffs(orig, targ): coefficients mapping target corners to the standard ones."""
    orig = torch.tensor([[-1., -1], [-1, 1], [1, -1], [1, 1]]).expand(len(mx), 4, 2)
    targ = torch.stack([torch.stack([-1 - my, -1 - mx]), torch.stack([-1 + my, 1 + mx]),
                        torch.stack([1 + my, -1 + mx]), torch.stack([1 - my, 1 - mx])]).permute(2, 0, 1)
    rows = []
    t0, t1 = torch.zeros(len(mx)), torch.ones(len(mx))
    for i in range(4):
        px, py = targ[:, i, 0], targ[:, i, 1]
        X, Y = orig[:, i, 0], orig[:, i, 1]
        rows.append(torch.stack([px, py, t1, t0, t0, t0, -X * px, -X * py]))
        rows.append(torch.stack([t0, t0, t0, px, py, t1, -Y * px, -Y * py]))
    A = torch.stack(rows).permute(2, 0, 1)
    b = orig.reshape(len(mx), 8, 1)
    return torch.linalg.solve(A, b)


def perspective(coords, coeffs):
    sz = coords.shape
    c = coords.view(sz[0], -1, 2)
    k = torch.cat([coeffs, torch.ones(coeffs.shape[0], 1, 1)], 1).view(-1, 3, 3)
    c1 = c @ k[..., :2].transpose(1, 2) + k[..., 2].unsqueeze(1)
    if (c1[..., 2] == 0).any():
        return coords
    return (c1 / c1[..., 2].unsqueeze(-1))[..., :2].view(*sz)


def logit(x):
    x = x.clamp(1e-7, 1 - 1e-7)
    return -(1 / x - 1).log()


def batch_tfms(x_u8, p, train):
    """x_u8: (B, R, R, 3) uint8 -> (B, 3, S, S) normalised, as fastai's after_batch."""
    x = torch.from_numpy(x_u8).permute(0, 3, 1, 2).float() / 255
    B = x.shape[0]
    M = affine(p) if train else torch.eye(3).expand(B, 3, 3)
    coords = F.affine_grid(M[:, :2], (B, 3, S, S), align_corners=True)
    if train:
        coords = perspective(coords, homography(p[:, 5], p[:, 6]))
    mn, mx = coords.min(), coords.max()
    z = 1 / (mx - mn).item() * 2
    d = min(x.shape[-2] / coords.shape[-2], x.shape[-1] / coords.shape[-1]) / 2
    shrunk = d > 1 and d > z
    if shrunk:
        x = F.interpolate(x, scale_factor=1 / d, mode="area", recompute_scale_factor=True)
    out = F.grid_sample(x, coords, mode="bilinear", padding_mode="reflection", align_corners=True)
    if train:
        b, c = p[:, 7].view(B, 1, 1, 1), p[:, 8].view(B, 1, 1, 1)
        out = torch.sigmoid((logit(out) + logit(b)) * c)
    return ((out - MEAN) / STD).numpy(), shrunk, x.shape[-1]


os.makedirs("augment", exist_ok=True)
imgs = np.stack([smooth_image(R, R) for _ in range(4)])
save_u8("augment/src.npy", imgs)
batches = {
    #            flip  rot    zoom  cx    cy    warpx  warpy  bright contrast
    "train_shrink": [[1, 0, 1, .5, .5, 0, 0, .5, 1],
                     [-1, 7.3, 1.05, .2, .9, .13, -.08, .43, 1],
                     [1, -9.1, 1, .7, .1, 0, .19, .5, .85],
                     [-1, 2, 1.09, .95, .4, -.17, .05, .58, 1.2]],
    "train_noshrink": [[1, 0, 1.09, .4, .6, 0, 0, .41, 1.1],
                       [-1, 1.5, 1.1, .5, .5, .01, 0, .5, .9],
                       [1, -1, 1.1, .55, .45, 0, -.01, .55, 1],
                       [-1, 0, 1.1, .45, .55, 0, 0, .5, 1]],
    "valid": [[1, 0, 1, .5, .5, 0, 0, .5, 1]] * 4,
}
with open("augment/cases.txt", "w") as f:
    for name, rows in batches.items():
        p = torch.tensor(rows, dtype=torch.float32)
        out, shrunk, side = batch_tfms(imgs, p, train=name != "valid")
        assert shrunk == (name != "train_noshrink"), name
        save(f"augment/{name}_params.npy", p.numpy())
        save(f"augment/{name}_out.npy", out)
        f.write(f"{name} {int(shrunk)} {side}\n")

# --- 4. whole validation path from a PNG file (SPEC §1.7) ------------------------------
os.makedirs("pipeline", exist_ok=True)
png = smooth_image(45, 60)
Image.fromarray(png).save("pipeline/img.png")
im = Image.open("pipeline/img.png").convert("RGB")
w, h = im.size
m = w / R if w / R < h / R else h / R
side = int(m * R)
left, top = int(0.5 * (w - side)), int(0.5 * (h - side))
big = np.asarray(im.crop((left, top, left + side, top + side)).resize((R, R), Image.BILINEAR))
out, shrunk, _ = batch_tfms(big[None], torch.zeros(1, 9), train=False)
save("pipeline/valid_out.npy", out[0])
with open("pipeline/crop.txt", "w") as f:
    f.write(f"{left} {top} {side} {int(shrunk)}\n")
print("fixtures written")
