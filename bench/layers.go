package bench

import (
	"math/rand/v2"
	"sync"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/tensor"
	"github.com/fastgo/fastgo/tensor/functional"
)

// MemOp is one memory-bound layer operation of the benchmark table: Bytes is the
// traffic it cannot avoid (every tensor it must read or write, once), so Bytes/time is
// comparable with a plain copy's bandwidth (Copy counts its read and its write).
type MemOp struct {
	Name  string
	Bytes float64
	Run   func()
}

// LayerOps returns the memory-bound operations of ResNet34 at the given batch on the
// activation of shape [c, batch, h, w] (CNHW), headed by the plain copy they are
// compared with: ReLU, batch norm (training mode) alone and fused with ReLU, forward and
// backward, and the 3×3 stride-2 max pool with its backward.
func LayerOps(c, batch, h, w int) []MemOp {
	rng := rand.New(rand.NewPCG(3, 4))
	shape := []int{c, batch, h, w}
	x := tensor.RandN(rng, 1, shape...)
	y, dy, dx := tensor.New(shape...), tensor.RandN(rng, 1, shape...), tensor.New(shape...)
	n := float64(x.Len()) * 4 // bytes of one activation
	p := &functional.BatchNormParams{
		Gamma: tensor.Full(1, c), Beta: tensor.New(c),
		RunningMean: tensor.New(c), RunningVar: tensor.Full(1, c),
		Momentum: functional.BNMomentum, Eps: functional.BNEps, Training: true,
	}
	var s functional.BNSaved
	dg, db := tensor.New(c), tensor.New(c)
	pool := functional.PoolOpts(3, 2, 1)
	pshape, _ := functional.MaxPool2dOutputShape(shape, pool)
	py, pdy := tensor.New(pshape...), tensor.RandN(rng, 1, pshape...)
	idx := make([]int32, py.Len())
	pn := float64(py.Len()) * 4
	xd, yd := x.Data(), y.Data()
	return []MemOp{
		{"copy", 2 * n, func() { parallelCopy(yd, xd) }},
		{"relu", 2 * n, func() { functional.Relu(y, x) }},
		{"relu-bwd", 3 * n, func() { functional.ReluBackward(functional.Overwrite(dx), dy, y) }},
		{"bn-train", 2 * n, func() { functional.BatchNorm2d(y, x, p, &s) }},
		{"bn-bwd", 3 * n, func() {
			functional.BatchNorm2dBackward(functional.Overwrite(dx), functional.Accumulate(dg), functional.Accumulate(db), dy, x, p, &s)
		}},
		{"bn-relu-train", 2 * n, func() { functional.BatchNorm2dReLU(y, x, nil, p, &s) }},
		{"bn-relu-bwd", 4 * n, func() {
			functional.BatchNorm2dReLUBackward(functional.Overwrite(dx), functional.GradOut{}, functional.Accumulate(dg), functional.Accumulate(db), dy, x, y, p, &s)
		}},
		{"maxpool", n + 2*pn, func() { functional.MaxPool2d(py, idx, x, pool) }},
		{"maxpool-bwd", n + 2*pn, func() { functional.MaxPool2dBackward(functional.Overwrite(dx), pdy, idx) }},
		{"maxpool-bwd-recompute", 2*n + pn, func() { functional.MaxPool2dBackwardRecompute(functional.Overwrite(dx), pdy, x, pool) }},
	}
}

// parallelCopy copies src into dst on cpu.Threads() goroutines.
func parallelCopy(dst, src []float32) {
	t := cpu.Threads()
	if t <= 1 {
		copy(dst, src)
		return
	}
	var wg sync.WaitGroup
	for i := 0; i < t; i++ {
		lo, hi := len(src)*i/t, len(src)*(i+1)/t
		wg.Add(1)
		go func() {
			defer wg.Done()
			copy(dst[lo:hi], src[lo:hi])
		}()
	}
	wg.Wait()
}
