package functional

import (
	"fmt"

	"github.com/fastgo/fastgo/tensor"
)

// BatchNorm1d normalises x [N, C] per channel (column) over the batch and writes
// y = γ·(x − mean)·invstd + β (same shape; y may be x), with the same modes, running
// statistics and saved values as BatchNorm2d. It is fastai's head normalisation, small
// enough (N·C ≈ 64·1024) to run on one goroutine.
func BatchNorm1d(y, x *tensor.Tensor, p *BatchNormParams, s *BNSaved) {
	const op = "BatchNorm1d"
	mustDims(op, "x", x, 2)
	tensor.MustSameShape("functional."+op, y, x)
	n, c := x.Dim(0), x.Dim(1)
	p.check(op, c)
	mustEnoughValues(op, p, n, x.Shape())
	s.resize(c)
	batch := p.useBatch()
	s.Batch = batch
	xd, yd := x.Data(), y.Data()
	mean := make([]float64, c)
	variance := make([]float64, c)
	if batch && n > 0 {
		for i := 0; i < n; i++ {
			for j, v := range xd[i*c : (i+1)*c] {
				mean[j] += float64(v)
			}
		}
		for j := range mean {
			mean[j] /= float64(n)
		}
		for i := 0; i < n; i++ {
			for j, v := range xd[i*c : (i+1)*c] {
				d := float64(v) - mean[j]
				variance[j] += d * d
			}
		}
		for j := range variance {
			variance[j] /= float64(n)
		}
	}
	a := make([]float32, c)
	b := make([]float32, c)
	for j := 0; j < c; j++ {
		p.channelStats(s, j, batch, mean[j], variance[j], n)
		aj := p.gammaAt(j) * float64(s.InvStd[j])
		a[j] = float32(aj)
		b[j] = float32(p.betaAt(j) - float64(s.Mean[j])*aj)
	}
	for i := 0; i < n; i++ {
		row, out := xd[i*c:(i+1)*c], yd[i*c:(i+1)*c]
		for j, v := range row {
			out[j] = a[j]*v + b[j]
		}
	}
}

// BatchNorm1dBackward is BatchNorm2dBackward for x [N, C]: it computes dx, dgamma and
// dbeta from dy, each only when wanted, overwriting or accumulating as its GradOut says.
func BatchNorm1dBackward(dx, dgamma, dbeta GradOut, dy, x *tensor.Tensor, p *BatchNormParams, s *BNSaved) {
	const op = "BatchNorm1dBackward"
	mustDims(op, "x", x, 2)
	tensor.MustSameShape("functional."+op, dy, x)
	n, c := x.Dim(0), x.Dim(1)
	p.check(op, c)
	if dx.wanted() {
		tensor.MustSameShape("functional."+op, dx.T, x)
	}
	for _, g := range []GradOut{dgamma, dbeta} {
		if g.wanted() {
			mustShape(op, "dgamma/dbeta", g.T, c)
		}
	}
	if len(s.Mean) != c || len(s.InvStd) != c {
		panic(fmt.Sprintf("functional.%s: saved statistics for %d channels, input has %d", op, len(s.Mean), c))
	}
	xd, dyd := x.Data(), dy.Data()
	sdy := make([]float64, c)
	sdyx := make([]float64, c)
	for i := 0; i < n; i++ {
		g, row := dyd[i*c:(i+1)*c], xd[i*c:(i+1)*c]
		for j, v := range row {
			sdy[j] += float64(g[j])
			sdyx[j] += float64(g[j]) * (float64(v) - float64(s.Mean[j]))
		}
	}
	a := make([]float32, c)
	b := make([]float32, c)
	cc := make([]float32, c)
	for j := 0; j < c; j++ {
		invstd := float64(s.InvStd[j])
		setGrad(dgamma, j, sdyx[j]*invstd)
		setGrad(dbeta, j, sdy[j])
		aj := p.gammaAt(j) * invstd
		a[j] = float32(aj)
		if s.Batch && n > 0 {
			k := invstd * invstd * sdyx[j] / float64(n)
			b[j] = float32(-aj * k)
			cc[j] = float32(aj * (float64(s.Mean[j])*k - sdy[j]/float64(n)))
		}
	}
	if !dx.wanted() {
		return
	}
	dxd := dx.T.Data()
	for i := 0; i < n; i++ {
		g, row, out := dyd[i*c:(i+1)*c], xd[i*c:(i+1)*c], dxd[i*c:(i+1)*c]
		for j, v := range row {
			d := a[j]*g[j] + (b[j]*v + cc[j])
			if dx.Accumulate {
				d += out[j]
			}
			out[j] = d
		}
	}
}
