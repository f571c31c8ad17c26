package nn

import (
	"hash/maphash"
	"sync"
	"unsafe"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/tensor"
	"github.com/fastgo/fastgo/tensor/functional"
)

// Folds reports whether a convolution followed by bn runs folded in graph g: g records
// nothing and is in eval mode, so bn uses its running statistics and is an affine map
// per channel that merges into the convolution's weights and bias.
func Folds(g *autograd.Graph, bn *BatchNorm) bool {
	return !g.Recording() && !g.Training && !bn.OneD && bn.State.RunningMean != nil && bn.State.RunningVar != nil
}

// ConvBN returns bn(conv(x)), or relu(bn(conv(x)) + res) when relu is set (res may be
// nil) — the conv → BatchNorm2d (→ + shortcut) → ReLU unit every ResNet block is made
// of. In an evaluation graph that records nothing (see Folds) the batch norm is folded
// into the convolution's weights and bias and the residual and ReLU are applied as each
// block of the convolution's output is written: one pass, no intermediate activation.
// Under KeepFolded the folded weights (for the layers that run Winograd, their
// transformed and packed filters only) are kept for the next evaluation pass while the
// values they were made from stay the same (foldCache). Otherwise it is the modules'
// own forwards, the convolution's output freed once the batch norm has consumed it. A
// residual without relu panics.
func ConvBN(g *autograd.Graph, conv *Conv2d, bn *BatchNorm, x *autograd.Var, relu bool, res *autograd.Var) *autograd.Var {
	if res != nil && !relu {
		panic("nn.ConvBN: a residual needs the ReLU")
	}
	if !Folds(g, bn) {
		c := conv.Forward(g, x)
		var y *autograd.Var
		if relu {
			y = bn.ForwardReLU(g, c, res)
		} else {
			y = bn.Forward(g, c)
		}
		g.Free(c)
		return y
	}
	return convBNFolded(g, conv, bn, x, relu, res, nil)
}

// ConvBNMaxPool returns pool(relu(bn(conv(x)))), ResNet's stem. Where the batch norm
// folds (see ConvBN) the convolution and the pooling run a few images at a time
// (autograd.Conv2dFusedMaxPool): the convolution's output, four times the pooled one,
// never exists whole.
func ConvBNMaxPool(g *autograd.Graph, conv *Conv2d, bn *BatchNorm, pool *MaxPool2d, x *autograd.Var) *autograd.Var {
	if !Folds(g, bn) {
		y := ConvBN(g, conv, bn, x, true, nil)
		p := pool.Forward(g, y)
		g.Free(y)
		return p
	}
	return convBNFolded(g, conv, bn, x, true, nil, pool)
}

// convBNFolded is ConvBN (then the max pool pool, when not nil) in a graph where bn
// folds.
func convBNFolded(g *autograd.Graph, conv *Conv2d, bn *BatchNorm, x *autograd.Var, relu bool, res *autograd.Var, pool *MaxPool2d) *autograd.Var {
	run := func(fw, fb *tensor.Tensor) *autograd.Var {
		if pool != nil {
			return autograd.Conv2dFusedMaxPool(x, fw, fb, relu, conv.Params, pool.Params)
		}
		return autograd.Conv2dFused(x, fw, fb, res, relu, conv.Params)
	}
	from := foldSources{conv.Weight.Value, nil, nil, nil, bn.State.RunningMean, bn.State.RunningVar}
	if conv.Bias != nil {
		from[1] = conv.Bias.Value
	}
	if bn.Weight != nil {
		from[2] = bn.Weight.Value
	}
	if bn.Bias != nil {
		from[3] = bn.Bias.Value
	}
	if !conv.keepFolded.Load() {
		w := from[0]
		fwBuf, fbBuf := g.Scratch(w.Len()), g.Scratch(w.Dim(0))
		defer g.PutScratch(fwBuf)
		defer g.PutScratch(fbBuf)
		fw, fb := tensor.FromData(fwBuf, w.Shape()...), tensor.FromData(fbBuf, w.Dim(0))
		from.fold(fw, fb, bn.State.Eps)
		return run(fw, fb)
	}
	c := conv.folded.Load()
	// Filters made for Winograd that this pass would not run (the precision, -conv or
	// SIMD path changed since) are folded again too.
	if c == nil || !c.matches(from, bn.State.Eps) || c.wino != nil && !c.wino.Usable(x.Value.Shape()) {
		conv.folded.Store(nil) // the old cache's memory is not held while the new one is made
		c = newFoldCache(g, from, bn.State.Eps, x.Value.Shape(), conv.Params)
		conv.folded.Store(c)
	}
	if c.wino == nil {
		return run(c.fw, c.fb)
	}
	y := autograd.Conv2dFusedWinograd(x, c.wino, c.fb, res, relu)
	if pool == nil {
		return y
	}
	p := pool.Forward(g, y)
	g.Free(y)
	return p
}

// KeepFolded makes the convolutions under m that run folded with a batch norm (ConvBN)
// keep their folded weights between evaluation passes (on), or fold them afresh each
// pass (off, the default; it also frees what they kept). For inference that runs the
// same weights many times (serving, benchmarks): it spares each pass folding the
// batch norms and transforming and packing the Winograd filters (at 2 threads each
// goroutine packed them for its chunks: layer3 and layer4 of ResNet34 7–11% faster),
// at the cost of the 3×3 stride-1 layers' filters kept transformed, 4× their weights,
// and the other layers' folded weights (about 320 MiB for ResNet34), which training
// with evaluations in between would otherwise hold on top of its own memory.
func KeepFolded(m Module, on bool) {
	if c, ok := m.(*Conv2d); ok {
		c.keepFolded.Store(on)
		if !on {
			c.folded.Store(nil)
		}
	}
	for _, ch := range m.Children() {
		KeepFolded(ch.Module, on)
	}
}

// foldSources are the values a folded convolution is made from: the convolution's
// weight and bias, the batch norm's γ and β (bias and affine parameters may be nil),
// running mean and running variance.
type foldSources [6]*tensor.Tensor

// fold writes the folded weights and bias into fw and fb (functional.FoldBatchNorm).
func (f *foldSources) fold(fw, fb *tensor.Tensor, eps float64) {
	functional.FoldBatchNorm(fw, fb, f[0], f[1], f[2], f[3], f[4], f[5], eps)
}

// foldCache is a convolution with its batch norm folded in, kept between evaluation
// passes: the folded bias and either the folded weights as Winograd filters ready for
// the GEMMs (functional.WinogradFilters: the 3×3 stride-1 layers that run F(4×4); the
// folded 3×3 weights themselves are not kept) or the folded weights.
//
// Each pass checks that the values it was made from are unchanged by their 64-bit
// fingerprints (sum: a seeded hash of the values' bits, hash/maphash) and folds again
// when any differs (training in between, loaded weights, a user's edit), so it is never
// stale but with probability 2⁻⁶⁴ per changed tensor. A fingerprint and not a version
// counter, because the weights are written through Tensor.Data by the optimiser, the
// loaders, tests and users alike, with no setter to bump one; a fingerprint and not a
// copy compared bit for bit (as before), because the copy held another 87 MB for
// ResNet34 and the comparison read twice the weights each pass, where hashing reads
// them once. Training passes drop the cache (Conv2d.Forward in a recording graph).
type foldCache struct {
	sums [6]uint64 // fingerprints of the foldSources; 0 for a nil one
	eps  float64
	fb   *tensor.Tensor
	fw   *tensor.Tensor              // nil when wino is set
	wino *functional.WinogradFilters // nil when this layer does not run Winograd
}

// newFoldCache folds from (see functional.FoldBatchNorm) for inputs of shape xShape.
// The folded weights of a Winograd layer, which only its transform reads, are made in
// g's scratch and given back.
func newFoldCache(g *autograd.Graph, from foldSources, eps float64, xShape []int, p functional.Conv2dParams) *foldCache {
	c := &foldCache{eps: eps, sums: from.sums()}
	w := from[0]
	buf := g.Scratch(w.Len())
	defer g.PutScratch(buf)
	fw := tensor.FromData(buf, w.Shape()...)
	c.fb = tensor.New(w.Dim(0))
	from.fold(fw, c.fb, eps)
	if c.wino = functional.NewWinogradFilters(fw, xShape, p); c.wino == nil {
		c.fw = fw.Clone()
	}
	return c
}

// matches reports whether c was folded from these values.
func (c *foldCache) matches(from foldSources, eps float64) bool {
	return c.eps == eps && c.sums == from.sums()
}

// fingerprintSeed seeds the fingerprints for the life of the process.
var fingerprintSeed = maphash.MakeSeed()

// sums returns the fingerprints of the sources: the shape and bits of each (0 for a
// nil one).
func (f *foldSources) sums() [6]uint64 {
	var s [6]uint64
	for i, t := range f {
		if t != nil {
			var h maphash.Hash
			h.SetSeed(fingerprintSeed)
			maphash.WriteComparable(&h, fingerprint(t.Data()))
			for _, d := range t.Shape() {
				maphash.WriteComparable(&h, d)
			}
			s[i] = h.Sum64()
		}
	}
	return s
}

// fingerprint returns a seeded 64-bit hash of a's length and float32 bit patterns (NaN
// weights hash as their bits), split between cpu.Threads() goroutines for the large
// weights so that the other cores do not wait: the parts' hashes are combined in order.
func fingerprint(a []float32) uint64 {
	part := func(lo, hi int) uint64 {
		if lo == hi {
			return maphash.Comparable(fingerprintSeed, hi)
		}
		return maphash.Bytes(fingerprintSeed, unsafe.Slice((*byte)(unsafe.Pointer(&a[lo])), 4*(hi-lo)))
	}
	parts := max(min(cpu.Threads(), len(a)>>18), 1)
	sums := make([]uint64, parts)
	var wg sync.WaitGroup
	for i := 1; i < parts; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sums[i] = part(len(a)*i/parts, len(a)*(i+1)/parts)
		}()
	}
	sums[0] = part(0, len(a)/parts)
	wg.Wait()
	var h maphash.Hash
	h.SetSeed(fingerprintSeed)
	maphash.WriteComparable(&h, len(a))
	for _, v := range sums {
		maphash.WriteComparable(&h, v)
	}
	return h.Sum64()
}

// convBNAt reports how many layers from layers[i] form a Conv2d → BatchNorm2d (→ ReLU)
// unit that runs folded in g (see ConvBN): 2 or 3, or 0 when layers[i] starts none.
func convBNAt(g *autograd.Graph, layers []Module, i int) (n int, relu bool) {
	if i+1 >= len(layers) {
		return 0, false
	}
	conv, ok := layers[i].(*Conv2d)
	if !ok {
		return 0, false
	}
	bn, ok := layers[i+1].(*BatchNorm)
	if !ok || conv == nil || !Folds(g, bn) {
		return 0, false
	}
	if i+2 < len(layers) {
		if _, ok := layers[i+2].(ReLU); ok {
			return 3, true
		}
	}
	return 2, false
}
