package functional

import (
	"fmt"
	"math"

	"github.com/fastgo/fastgo/asm/bn"
	"github.com/fastgo/fastgo/asm/gemm"
	"github.com/fastgo/fastgo/tensor"
)

// PyTorch's BatchNorm defaults.
const (
	BNMomentum = 0.1
	BNEps      = 1e-5
)

// BatchNormParams are a batch-norm layer's parameters, buffers and mode.
type BatchNormParams struct {
	// Gamma and Beta are the affine weight and bias, [C]; nil means 1 and 0
	// (affine=False).
	Gamma, Beta *tensor.Tensor
	// RunningMean and RunningVar are the running statistics, [C]. In training they are
	// updated in place: rm = (1−m)·rm + m·mean, rv = (1−m)·rv + m·var·M/(M−1) with the
	// batch's biased variance var over M values per channel. In eval they normalise. Nil
	// means no running statistics (track_running_stats=False): batch statistics are used
	// in both modes, as PyTorch does.
	RunningMean, RunningVar *tensor.Tensor
	// Momentum is the running statistics' update weight m (BNMomentum in PyTorch).
	Momentum float64
	// Eps is added to the variance before its square root (BNEps in PyTorch).
	Eps float64
	// Training selects batch statistics (training mode) over the running ones.
	Training bool
}

// BNSaved is what a batch-norm forward keeps for its backward: per channel the mean and
// 1/sqrt(var + eps) it normalised with, and whether they were batch statistics (the
// backward then also differentiates through them). The forward sizes the slices,
// reusing their storage when large enough.
type BNSaved struct {
	Mean, InvStd []float32
	Batch        bool
}

// resize makes the saved slices length c.
func (s *BNSaved) resize(c int) {
	if cap(s.Mean) < c {
		s.Mean = make([]float32, c)
	}
	if cap(s.InvStd) < c {
		s.InvStd = make([]float32, c)
	}
	s.Mean, s.InvStd = s.Mean[:c], s.InvStd[:c]
}

// check validates the parameter shapes against c channels.
func (p *BatchNormParams) check(op string, c int) {
	for _, t := range []struct {
		name string
		t    *tensor.Tensor
	}{{"Gamma", p.Gamma}, {"Beta", p.Beta}, {"RunningMean", p.RunningMean}, {"RunningVar", p.RunningVar}} {
		if t.t != nil {
			mustShape(op, t.name, t.t, c)
		}
	}
	if (p.RunningMean == nil) != (p.RunningVar == nil) {
		panic(fmt.Sprintf("functional.%s: RunningMean and RunningVar must both be set or both nil", op))
	}
}

// useBatch reports whether batch statistics normalise.
func (p *BatchNormParams) useBatch() bool { return p.Training || p.RunningMean == nil }

// gammaAt returns γ[c] (1 without affine parameters).
func (p *BatchNormParams) gammaAt(c int) float64 {
	if p.Gamma == nil {
		return 1
	}
	return float64(p.Gamma.Data()[c])
}

// betaAt returns β[c] (0 without affine parameters).
func (p *BatchNormParams) betaAt(c int) float64 {
	if p.Beta == nil {
		return 0
	}
	return float64(p.Beta.Data()[c])
}

// channelStats records channel c's normalisation in s and updates the running
// statistics: mean and biased variance var of m values when batch is true, the running
// statistics otherwise.
func (p *BatchNormParams) channelStats(s *BNSaved, c int, batch bool, mean, variance float64, m int) {
	if !batch {
		mean = float64(p.RunningMean.Data()[c])
		variance = float64(p.RunningVar.Data()[c])
	} else if p.Training && p.RunningMean != nil {
		rm, rv := p.RunningMean.Data(), p.RunningVar.Data()
		unbiased := variance * float64(m) / float64(m-1)
		rm[c] = float32((1-p.Momentum)*float64(rm[c]) + p.Momentum*mean)
		rv[c] = float32((1-p.Momentum)*float64(rv[c]) + p.Momentum*unbiased)
	}
	s.Mean[c] = float32(mean)
	s.InvStd[c] = float32(1 / math.Sqrt(variance+p.Eps))
}

// mustEnoughValues panics as PyTorch does when training statistics would come from a
// single value per channel.
func mustEnoughValues(op string, p *BatchNormParams, m int, shape []int) {
	if p.Training && p.RunningMean != nil && m < 2 {
		panic(fmt.Sprintf("functional.%s: expected more than 1 value per channel when training, got input of shape %v", op, shape))
	}
}

// BatchNorm2d normalises the CNHW tensor x [C, N, H, W] per channel over N, H and W and
// writes y = γ·(x − mean)·invstd + β (same shape; y may be x). In training mode (see
// BatchNormParams) it uses the batch's mean and biased variance and updates the running
// statistics; in eval mode it uses the running statistics. It records the mean and
// invstd used in s for the backward.
func BatchNorm2d(y, x *tensor.Tensor, p *BatchNormParams, s *BNSaved) {
	bn2dForward("BatchNorm2d", y, x, nil, false, p, s)
}

// BatchNorm2dReLU is the fused y = relu(BatchNorm2d(x) + res), one pass over memory
// fewer than the separate layers: ResNet's bn→relu (res nil) and its block ending
// bn→(+shortcut)→relu. res, when given, has x's shape; y may be x or res. The ReLU is
// PyTorch's: a NaN stays NaN (vec.Relu and functional.Relu map it to 0).
func BatchNorm2dReLU(y, x, res *tensor.Tensor, p *BatchNormParams, s *BNSaved) {
	bn2dForward("BatchNorm2dReLU", y, x, res, true, p, s)
}

func bn2dForward(op string, y, x, res *tensor.Tensor, relu bool, p *BatchNormParams, s *BNSaved) {
	mustDims(op, "x", x, 4)
	tensor.MustSameShape("functional."+op, y, x)
	if res != nil {
		tensor.MustSameShape("functional."+op, res, x)
	}
	c := x.Dim(0)
	m := x.Len() / max(c, 1)
	p.check(op, c)
	mustEnoughValues(op, p, m, x.Shape())
	s.resize(c)
	batch := p.useBatch()
	s.Batch = batch
	xd, yd := x.Data(), y.Data()
	var rd []float32
	if res != nil {
		rd = res.Data()
	}
	nt := threadsFor(8*float64(x.Len()), c)
	parallel(nt, func(t int) {
		c0, c1 := split(c, nt, t, 1)
		for ci := c0; ci < c1; ci++ {
			xc := xd[ci*m : (ci+1)*m]
			var mean, variance float64
			if batch && m > 0 {
				mean, variance = channelMoments(xc)
			}
			p.channelStats(s, ci, batch, mean, variance, m)
			a := p.gammaAt(ci) * float64(s.InvStd[ci])
			b := p.betaAt(ci) - float64(s.Mean[ci])*a
			var rc []float32
			if rd != nil {
				rc = rd[ci*m : (ci+1)*m]
			}
			bnApply(yd[ci*m:(ci+1)*m], xc, rc, float32(a), float32(b), relu)
		}
	})
}

// BatchNorm2dBackward computes the gradients of y = BatchNorm2d(x) from dy: dx, and
// dgamma = Σ dy·x̂, dbeta = Σ dy, each computed only when wanted and overwritten or
// accumulated as its GradOut says. p gives γ, s the statistics the forward saved. In
// training mode (batch statistics) dx = γ·invstd·(dy − mean(dy) − x̂·mean(dy·x̂)); with
// running statistics dx = γ·invstd·dy.
func BatchNorm2dBackward(dx, dgamma, dbeta GradOut, dy, x *tensor.Tensor, p *BatchNormParams, s *BNSaved) {
	bn2dBackward("BatchNorm2dBackward", dx, GradOut{}, dgamma, dbeta, dy, x, nil, BNStored{}, p, s)
}

// BatchNorm2dReLUBackward is the backward of y = BatchNorm2dReLU(x, res): with the
// ReLU's mask taken from its output y, dt = 0 where y <= 0 and dy elsewhere (so also
// where y is NaN, as PyTorch's threshold_backward does); dres gets dt (the shortcut's
// gradient; pass the zero GradOut when there was no res) and dx, dgamma, dbeta are
// BatchNorm2dBackward's of dt. y must not have been overwritten since the forward.
func BatchNorm2dReLUBackward(dx, dres, dgamma, dbeta GradOut, dy, x, y *tensor.Tensor, p *BatchNormParams, s *BNSaved) {
	if y == nil {
		panic("functional.BatchNorm2dReLUBackward: y (the forward's output) is nil")
	}
	bn2dBackward("BatchNorm2dReLUBackward", dx, dres, dgamma, dbeta, dy, x, y, BNStored{}, p, s)
}

// BNStored is what a batch norm's backward reads of its forward, kept as bfloat16 (as a
// training graph keeps it in BF16 precision, rounded by gemm.ToBF16): X holds, for
// each value of channel c of the input, x − Centre[c] (StoreCentredBF16), and Y the
// output of a fused ReLU. Nil fields mean the float32 tensor is given instead.
// Centring first keeps x − mean, which the backward computes with, to bf16's relative
// precision however large the channel's mean is next to its spread.
type BNStored struct {
	X      []uint16
	Centre []float32
	Y      []uint16
}

// StoreCentredBF16 sets dst[i] = bf16(x[i] − centre[c]) for each value i of channel c
// of the channel-major x ([C, …] with len(centre) = C), the form of BNStored.X
// (gemm.ToBF16Centred, one pass), the goroutines taking whole channels (see
// StoreBF16).
func StoreCentredBF16(dst []uint16, x, centre []float32) {
	c := len(centre)
	if c == 0 || len(x)%c != 0 || len(dst) < len(x) {
		panic(fmt.Sprintf("functional.StoreCentredBF16: %d values, %d channels, dst of %d", len(x), c, len(dst)))
	}
	m := len(x) / c
	nt := threadsFor(6*float64(len(x)), c)
	parallel(nt, func(t int) {
		c0, c1 := split(c, nt, t, 1)
		for ci := c0; ci < c1; ci++ {
			gemm.ToBF16Centred(dst[ci*m:(ci+1)*m], x[ci*m:(ci+1)*m], centre[ci])
		}
	})
}

// BatchNorm2dBackwardStored is BatchNorm2dBackward (relu false) or
// BatchNorm2dReLUBackward (relu true) with x, y or both taken from st where its fields
// are set (x or y may then be nil; dy gives the shape). The result is those
// functions' on the widened tensors (x as widen(X) + Centre[c]), bit for bit: with
// both stored (or x stored and no ReLU) the kernels read the bf16 values directly
// (bn.GradSumsBF16 and the others), otherwise, and where the input gradient
// accumulates or uses running statistics, each stored one is widened channel by
// channel into a scratch buffer (x then centred by bn.Apply); never a float32 copy of
// the whole of either. Rounding keeps the ReLU's mask (y > 0) except for
// positive float32 denormals, which bf16 flushes to zero.
func BatchNorm2dBackwardStored(dx, dres, dgamma, dbeta GradOut, dy, x, y *tensor.Tensor, st BNStored, relu bool, p *BatchNormParams, s *BNSaved) {
	const op = "BatchNorm2dBackwardStored"
	mustDims(op, "dy", dy, 4)
	n, c := dy.Len(), dy.Dim(0)
	switch {
	case st.X == nil && x == nil:
		panic("functional." + op + ": neither x nor its stored form")
	case st.X != nil && (len(st.X) != n || len(st.Centre) != c):
		panic(fmt.Sprintf("functional.%s: stored x has %d values and %d centres, dy %v", op, len(st.X), len(st.Centre), dy.Shape()))
	case relu && st.Y == nil && y == nil:
		panic("functional." + op + ": neither y (the forward's output) nor its stored form")
	case st.Y != nil && len(st.Y) != n:
		panic(fmt.Sprintf("functional.%s: stored y has %d values, dy %v", op, len(st.Y), dy.Shape()))
	}
	if !relu {
		y, st.Y = nil, nil
	}
	if !relu && dres.wanted() {
		panic("functional." + op + ": a residual gradient needs the fused ReLU")
	}
	bn2dBackward(op, dx, dres, dgamma, dbeta, dy, x, y, st, p, s)
}

// bn2dBackward is the batch-norm backward; x is read from x or st.X (widened per
// channel), the ReLU's mask from y or st.Y, and there is no mask when both are nil.
func bn2dBackward(op string, dx, dres, dgamma, dbeta GradOut, dy, x, y *tensor.Tensor, st BNStored, p *BatchNormParams, s *BNSaved) {
	if st.X == nil {
		mustDims(op, "x", x, 4)
		tensor.MustSameShape("functional."+op, dy, x)
	} else {
		x = dy // the shape only
	}
	if y != nil {
		tensor.MustSameShape("functional."+op, y, x)
	}
	for _, g := range []GradOut{dx, dres} {
		if g.wanted() {
			tensor.MustSameShape("functional."+op, g.T, x)
		}
	}
	c := x.Dim(0)
	m := x.Len() / max(c, 1)
	p.check(op, c)
	for _, g := range []GradOut{dgamma, dbeta} {
		if g.wanted() {
			mustShape(op, "dgamma/dbeta", g.T, c)
		}
	}
	if len(s.Mean) != c || len(s.InvStd) != c {
		panic(fmt.Sprintf("functional.%s: saved statistics for %d channels, input has %d", op, len(s.Mean), c))
	}
	xd, dyd := x.Data(), dy.Data()
	var yd, dxd, drd []float32
	if y != nil {
		yd = y.Data()
	}
	if dx.wanted() {
		dxd = dx.T.Data()
	}
	if dres.wanted() {
		drd = dres.T.Data()
	}
	// With x stored, and y stored or no mask, the kernels read the bf16 values
	// themselves (bn2dBackwardStored) unless the input gradient goes through
	// bnGradApply's blocks (accumulating, or running statistics).
	if st.X != nil && (st.Y != nil || y == nil) &&
		(dxd == nil && drd == nil || s.Batch && dxd != nil && !dx.Accumulate && (drd == nil || !dres.Accumulate)) {
		bn2dBackwardStored(dxd, drd, dgamma, dbeta, dyd, st, c, m, p, s)
		return
	}
	nt := threadsFor(12*float64(x.Len()), c)
	parallel(nt, func(t int) {
		c0, c1 := split(c, nt, t, 1)
		var tmp bnTmp // fetched only by bnGradApply's blockwise cases
		defer tmp.put()
		var wideY, wideX []float32 // one channel of st.Y and st.X, widened
		if st.Y != nil {
			wideY = getScratch(m)
			defer putScratch(wideY)
		}
		if st.X != nil {
			wideX = getScratch(m)
			defer putScratch(wideX)
		}
		for ci := c0; ci < c1; ci++ {
			lo, hi := ci*m, (ci+1)*m
			mean, invstd := s.Mean[ci], float64(s.InvStd[ci])
			var yc []float32
			if yd != nil {
				yc = yd[lo:hi]
			}
			if st.Y != nil {
				gemm.FromBF16(wideY, st.Y[lo:hi])
				yc = wideY
			}
			xc := wideX
			if st.X != nil {
				gemm.FromBF16(xc, st.X[lo:hi])
				bn.Apply(xc, xc, 1, st.Centre[ci])
			} else {
				xc = xd[lo:hi]
			}
			// Σ dt and Σ dt·(x − mean)
			sdy, sdyx := gradSums(dyd[lo:hi], yc, xc, mean)
			setGrad(dgamma, ci, sdyx*invstd)
			setGrad(dbeta, ci, sdy)
			if dxd == nil && drd == nil {
				continue
			}
			a, b, cc := bnGradCoeffs(p, s, ci, m, sdy, sdyx)
			var dxc, drc []float32
			if dxd != nil {
				dxc = dxd[lo:hi]
			}
			if drd != nil {
				drc = drd[lo:hi]
			}
			bnGradApply(dxc, drc, dyd[lo:hi], yc, xc, a, b, cc,
				s.Batch, dx.Accumulate, dres.Accumulate, &tmp)
		}
	})
}

// bnGradCoeffs returns the coefficients of channel ci's input gradient
// dx = a·dt + b·x + c (batch statistics) or a·dt (running statistics), from the
// channel's Σ dt and Σ dt·(x − mean) over its m values.
func bnGradCoeffs(p *BatchNormParams, s *BNSaved, ci, m int, sdy, sdyx float64) (a, b, c float32) {
	invstd := float64(s.InvStd[ci])
	a64 := p.gammaAt(ci) * invstd
	var b64, c64 float64
	if s.Batch && m > 0 {
		k := invstd * invstd * sdyx / float64(m)
		b64 = -a64 * k
		c64 = a64 * (float64(s.Mean[ci])*k - sdy/float64(m))
	}
	return float32(a64), float32(b64), float32(c64)
}

// bn2dBackwardStored is bn2dBackward with x in st.X and the mask, if any, in st.Y,
// read as bf16 by the kernels (bn.GradSumsBF16 and the others widen them as they go,
// giving the float32 kernels' results on the widened values bit for bit): no float32
// copy of a channel of either. The input gradient, if wanted, is overwritten with
// batch statistics (bnGradApply's one-call case).
func bn2dBackwardStored(dxd, drd []float32, dgamma, dbeta GradOut, dyd []float32, st BNStored, c, m int, p *BatchNormParams, s *BNSaved) {
	nt := threadsFor(12*float64(c*m), c)
	parallel(nt, func(t int) {
		c0, c1 := split(c, nt, t, 1)
		for ci := c0; ci < c1; ci++ {
			lo, hi := ci*m, (ci+1)*m
			xs, centre, dyc := st.X[lo:hi], st.Centre[ci], dyd[lo:hi]
			var ys []uint16
			if st.Y != nil {
				ys = st.Y[lo:hi]
			}
			// Σ dt and Σ dt·(x − mean), in gradSums's blocks.
			var sdy, sdyx float64
			for off := 0; off < m; off += bnBlock {
				end := min(off+bnBlock, m)
				var s1, s2 float32
				if ys != nil {
					s1, s2 = bn.GradSumsReLUBF16(dyc[off:end], ys[off:end], xs[off:end], centre, s.Mean[ci])
				} else {
					s1, s2 = bn.GradSumsBF16(dyc[off:end], xs[off:end], centre, s.Mean[ci])
				}
				sdy += float64(s1)
				sdyx += float64(s2)
			}
			setGrad(dgamma, ci, sdyx*float64(s.InvStd[ci]))
			setGrad(dbeta, ci, sdy)
			if dxd == nil && drd == nil {
				continue
			}
			a, b, cc := bnGradCoeffs(p, s, ci, m, sdy, sdyx)
			var drc []float32
			if drd != nil {
				drc = drd[lo:hi]
			}
			if ys != nil {
				bn.GradReLUBF16(dxd[lo:hi], drc, dyc, ys, xs, centre, a, b, cc)
			} else {
				bn.GradBF16(dxd[lo:hi], dyc, xs, centre, a, b, cc)
			}
		}
	})
}

// setGrad stores v into element i of g's tensor, overwriting or adding.
func setGrad(g GradOut, i int, v float64) {
	if !g.wanted() {
		return
	}
	d := g.T.Data()
	if g.Accumulate {
		v += float64(d[i])
	}
	d[i] = float32(v)
}
