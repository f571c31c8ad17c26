package vision

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// AugOptions are the arguments of fastai's aug_transforms that this pipeline honours
// (SPEC §1.6). DefaultAug returns fastai's defaults.
type AugOptions struct {
	DoFlip      bool    // horizontal flip with probability 0.5
	MaxRotate   float64 // degrees: θ ~ U(-MaxRotate, MaxRotate)
	MinZoom     float64 // zoom z ~ U(MinZoom, MaxZoom); the matrix scales by 1/z
	MaxZoom     float64
	MaxLighting float64 // brightness b ~ U(0.5(1-L), 0.5(1+L)); contrast c = exp(U(ln(1-L), -ln(1-L)))
	MaxWarp     float64 // perspective warp magnitudes ~ U(-MaxWarp, MaxWarp)
	PAffine     float64 // probability of each of rotate, zoom, warp-x, warp-y
	PLighting   float64 // probability of each of brightness, contrast
}

// DefaultAug returns aug_transforms' defaults: flip, rotate ±10°, zoom 1–1.1, warp 0.2,
// lighting 0.2, p_affine 0.75, p_lighting 0.75.
func DefaultAug() AugOptions {
	return AugOptions{DoFlip: true, MaxRotate: 10, MinZoom: 1, MaxZoom: 1.1,
		MaxLighting: 0.2, MaxWarp: 0.2, PAffine: 0.75, PLighting: 0.75}
}

// Validate reports options that fastai would reject or that make no sense.
func (o AugOptions) Validate() error {
	switch {
	case o.MaxRotate < 0 || o.MaxWarp < 0 || o.MaxLighting < 0 || o.MaxLighting >= 1:
		return fmt.Errorf("augment: rotate %g, warp %g must be ≥ 0 and lighting %g in [0,1)", o.MaxRotate, o.MaxWarp, o.MaxLighting)
	case o.MinZoom <= 0 || o.MaxZoom < o.MinZoom:
		return fmt.Errorf("augment: zoom range [%g, %g] must be positive and ordered", o.MinZoom, o.MaxZoom)
	case o.PAffine < 0 || o.PAffine > 1 || o.PLighting < 0 || o.PLighting > 1:
		return fmt.Errorf("augment: probabilities p_affine %g, p_lighting %g must be in [0,1]", o.PAffine, o.PLighting)
	}
	return nil
}

// AugParams are one image's random draws for the batch transforms (SPEC §1.6). The
// neutral values (no augmentation) are IdentityAug's.
type AugParams struct {
	Flip       float64 // -1 flipped horizontally, +1 not
	Rotate     float64 // θ in degrees
	Zoom       float64 // z ≥ 1 zooms in; the affine matrix uses s = 1/z
	CX, CY     float64 // zoom centre, U(0,1) each
	WarpX      float64 // perspective magnitude along x (fastai's draw_x)
	WarpY      float64 // … along y (draw_y)
	Brightness float64 // b, 0.5 is neutral
	Contrast   float64 // c, 1 is neutral
}

// IdentityAug returns the neutral parameters (the validation transform).
func IdentityAug() AugParams {
	return AugParams{Flip: 1, Zoom: 1, CX: 0.5, CY: 0.5, Brightness: 0.5, Contrast: 1}
}

// mask returns v with probability p, otherwise neutral (one Bernoulli draw); v is
// always drawn first so that the stream of draws does not depend on the outcome.
func mask(rng *rand.Rand, v, p, neutral float64) float64 {
	if rng.Float64() < p {
		return v
	}
	return neutral
}

// Draw draws one image's parameters from rng with fastai's distributions.
func (o AugOptions) Draw(rng *rand.Rand) AugParams {
	u := func(lo, hi float64) float64 { return lo + (hi-lo)*rng.Float64() }
	p := IdentityAug()
	if o.DoFlip && rng.Float64() < 0.5 {
		p.Flip = -1
	}
	p.Rotate = mask(rng, u(-o.MaxRotate, o.MaxRotate), o.PAffine, 0)
	p.Zoom = mask(rng, u(o.MinZoom, o.MaxZoom), o.PAffine, 1)
	p.CX, p.CY = rng.Float64(), rng.Float64()
	p.WarpX = mask(rng, u(-o.MaxWarp, o.MaxWarp), o.PAffine, 0)
	p.WarpY = mask(rng, u(-o.MaxWarp, o.MaxWarp), o.PAffine, 0)
	L := o.MaxLighting
	p.Brightness = mask(rng, u(0.5*(1-L), 0.5*(1+L)), o.PLighting, 0.5)
	lc := math.Log(1 - L)
	p.Contrast = mask(rng, math.Exp(u(lc, -lc)), o.PLighting, 1)
	return p
}

// Affine returns the top two rows of fastai's M = F·R·Z (flip, rotate, zoom; SPEC §1.6)
// as [m00 m01 m02 m10 m11 m12]: a grid point (u, v) of the output samples the input at
// normalised coordinates (m00 u + m01 v + m02, m10 u + m11 v + m12). The aspect fix of
// _prepare_mat is a no-op because the pipeline's images are square.
func (p AugParams) Affine() [6]float64 {
	th := p.Rotate * math.Pi / 180
	c, s := math.Cos(th), math.Sin(th)
	z := 1 / p.Zoom
	tx := (1 - z) * (2*p.CX - 1)
	ty := (1 - z) * (2*p.CY - 1)
	f := p.Flip
	return [6]float64{
		f * c * z, f * s * z, f * (c*tx + s*ty),
		-s * z, c * z, -s*tx + c*ty,
	}
}

// HasWarp reports whether the perspective warp is not the identity.
func (p AugParams) HasWarp() bool { return p.WarpX != 0 || p.WarpY != 0 }

// Homography returns fastai's perspective warp for magnitudes (mx, my) = (WarpX, WarpY)
// as [h0 … h7] (h8 = 1): the map (x, y) → ((h0 x + h1 y + h2)/D, (h3 x + h4 y + h5)/D)
// with D = h6 x + h7 y + 1 that sends the target corners (-1-my, -1-mx), (-1+my, 1+mx),
// (1+my, -1+mx), (1-my, 1-mx) to the standard corners (-1,-1), (-1,1), (1,-1), (1,1)
// (find_coeffs). ok is false when the 8×8 system is singular (only for magnitudes far
// beyond fastai's), in which case the warp should be skipped.
func (p AugParams) Homography() (h [8]float64, ok bool) {
	mx, my := p.WarpX, p.WarpY
	orig := [4][2]float64{{-1, -1}, {-1, 1}, {1, -1}, {1, 1}}
	targ := [4][2]float64{{-1 - my, -1 - mx}, {-1 + my, 1 + mx}, {1 + my, -1 + mx}, {1 - my, 1 - mx}}
	var a [8][9]float64 // augmented matrix [A | b]
	for i := 0; i < 4; i++ {
		X, Y := orig[i][0], orig[i][1]
		x, y := targ[i][0], targ[i][1]
		a[2*i] = [9]float64{x, y, 1, 0, 0, 0, -X * x, -X * y, X}
		a[2*i+1] = [9]float64{0, 0, 0, x, y, 1, -Y * x, -Y * y, Y}
	}
	sol, ok := solve8(&a)
	return sol, ok
}

// solve8 solves the 8×8 augmented system by Gaussian elimination with partial
// pivoting in float64.
func solve8(a *[8][9]float64) (x [8]float64, ok bool) {
	for c := 0; c < 8; c++ {
		piv := c
		for r := c + 1; r < 8; r++ {
			if math.Abs(a[r][c]) > math.Abs(a[piv][c]) {
				piv = r
			}
		}
		if math.Abs(a[piv][c]) < 1e-12 {
			return x, false
		}
		a[c], a[piv] = a[piv], a[c]
		for r := c + 1; r < 8; r++ {
			f := a[r][c] / a[c][c]
			for k := c; k < 9; k++ {
				a[r][k] -= f * a[c][k]
			}
		}
	}
	for r := 7; r >= 0; r-- {
		s := a[r][8]
		for k := r + 1; k < 8; k++ {
			s -= a[r][k] * x[k]
		}
		x[r] = s / a[r][r]
	}
	for _, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return x, false
		}
	}
	return x, true
}
