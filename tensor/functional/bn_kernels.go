package functional

import (
	"github.com/fastgo/fastgo/asm/bn"
	"github.com/fastgo/fastgo/asm/vec"
)

// The element loops of batch norm, each one pass over a channel's memory with the asm
// batch-norm kernels (SIMD on every path but generic). Reductions run the kernels on
// blocks of bnBlock values, which then sit in the L1 cache, and add the float32 block
// results in float64, so the rounding error does not grow with the 802 816 values per
// channel of ResNet34's first layer at batch 64.

const bnBlock = 4096

// bnTmp is a goroutine's two scratch blocks, fetched on first use (blocks); the zero
// value is ready to use, and put returns the blocks if they were fetched.
type bnTmp struct{ a, b []float32 }

// blocks returns the two blocks, fetching them first if need be.
func (t *bnTmp) blocks() (a, b []float32) {
	if t.a == nil {
		s := getScratch(2 * bnBlock)
		t.a, t.b = s[:bnBlock], s[bnBlock:]
	}
	return t.a, t.b
}

func (t *bnTmp) put() {
	if t.a != nil {
		putScratch(t.a[:2*bnBlock])
		t.a, t.b = nil, nil
	}
}

// channelMoments returns the mean and biased variance of x (not empty) in one pass over
// memory. Each block's deviations are summed about a shift close to its mean, which
// keeps the float32 sums accurate however large the mean is against the spread: the
// first block's own mean (vec.Sum of the block, read again from L1), then the running
// mean of the blocks before. Blocks are merged by Chan et al.'s pairwise update of
// (count, mean, sum of squared deviations) in float64.
func channelMoments(x []float32) (mean, variance float64) {
	var count, m2 float64
	for len(x) > 0 {
		n := min(len(x), bnBlock)
		blk := x[:n]
		x = x[n:]
		shift := float32(mean)
		if count == 0 {
			shift = vec.Sum(blk) / float32(n)
		}
		s1, s2 := bn.Stats(blk, shift)
		nb := float64(n)
		bm := float64(shift) + float64(s1)/nb                 // the block's mean
		bm2 := max(float64(s2)-float64(s1)*float64(s1)/nb, 0) // its squared deviations
		total := count + nb
		d := bm - mean
		mean += d * nb / total
		m2 += bm2 + d*d*count*nb/total
		count = total
	}
	return mean, m2 / count
}

// bnApply sets y = a·x + b, then adds res when it is not nil, then applies ReLU when
// relu is set (PyTorch's: NaN stays NaN); a residual comes only with the ReLU
// (BatchNorm2dReLU). y may be x or res.
func bnApply(y, x, res []float32, a, b float32, relu bool) {
	switch {
	case res != nil:
		bn.ApplyAddReLU(y, x, res, a, b)
	case relu:
		bn.ApplyReLU(y, x, a, b)
	default:
		bn.Apply(y, x, a, b)
	}
}

// gradSums returns Σ dt and Σ dt·(x − mean), where dt = dy, or, when y is not nil, dy
// masked by the ReLU's output y (0 where y <= 0).
func gradSums(dy, y, x []float32, mean float32) (sdy, sdyx float64) {
	for off := 0; off < len(dy); off += bnBlock {
		end := min(off+bnBlock, len(dy))
		var s1, s2 float32
		if y != nil {
			s1, s2 = bn.GradSumsReLU(dy[off:end], y[off:end], x[off:end], mean)
		} else {
			s1, s2 = bn.GradSums(dy[off:end], x[off:end], mean)
		}
		sdy += float64(s1)
		sdyx += float64(s2)
	}
	return sdy, sdyx
}

// bnGradApply writes batch norm's input gradient dx = a·dt + b·x + c, where dt is dy or,
// when y is not nil, dy masked by y as in gradSums; and dres = dt. A nil dx or dres is
// skipped; accX and accR select adding over overwriting. With running statistics
// (batch false; b and c are 0) dx = a·dt exactly, without the x term, so that a NaN or
// infinite input does not reach the gradient, as in PyTorch. The common case (batch
// statistics, overwrite) is one kernel call over the channel; the others go through t's
// blocks.
func bnGradApply(dx, dres, dy, y, x []float32, a, b, c float32, batch, accX, accR bool, t *bnTmp) {
	if batch && dx != nil && !accX && (dres == nil || !accR) {
		if y != nil {
			bn.GradReLU(dx, dres, dy, y, x, a, b, c)
		} else {
			bn.Grad(dx, dy, x, a, b, c)
		}
		return
	}
	ta, tb := t.blocks()
	for off := 0; off < len(dy); off += bnBlock {
		end := min(off+bnBlock, len(dy))
		gx, gt := ta[:end-off], tb[:end-off]
		switch {
		case !batch && y != nil:
			// dt exactly (the x term, here of dy, is discarded), then a·dt.
			bn.GradReLU(gx, gt, dy[off:end], y[off:end], dy[off:end], 1, 0, 0)
			bn.Apply(gx, gt, a, 0)
		case !batch:
			gt = dy[off:end]
			bn.Apply(gx, gt, a, 0)
		case y != nil:
			bn.GradReLU(gx, gt, dy[off:end], y[off:end], x[off:end], a, b, c)
		default:
			bn.Grad(gx, dy[off:end], x[off:end], a, b, c)
			gt = dy[off:end]
		}
		storeGrad(dx, off, gx, accX)
		storeGrad(dres, off, gt, accR)
	}
}

// storeGrad sets dst[off:off+len(g)] = g, or adds g when acc; a nil dst is skipped.
func storeGrad(dst []float32, off int, g []float32, acc bool) {
	switch {
	case dst == nil:
	case acc:
		vec.Axpy(1, g, dst[off:off+len(g)])
	default:
		copy(dst[off:off+len(g)], g)
	}
}
