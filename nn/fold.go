package nn

import (
	"bytes"
	"sync"
	"sync/atomic"
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
// transformed and packed filters) are kept for the next evaluation pass while the
// values they were made from stay the same (foldCache). Otherwise it is the modules' own forwards, the convolution's output freed once the
// batch norm has consumed it. A residual without relu panics.
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
	w := conv.Weight.Value
	var cb, gamma, beta *tensor.Tensor
	if conv.Bias != nil {
		cb = conv.Bias.Value
	}
	if bn.Weight != nil {
		gamma = bn.Weight.Value
	}
	if bn.Bias != nil {
		beta = bn.Bias.Value
	}
	if !conv.keepFolded.Load() {
		fwBuf, fbBuf := g.Scratch(w.Len()), g.Scratch(w.Dim(0))
		defer g.PutScratch(fwBuf)
		defer g.PutScratch(fbBuf)
		fw, fb := tensor.FromData(fwBuf, w.Shape()...), tensor.FromData(fbBuf, w.Dim(0))
		functional.FoldBatchNorm(fw, fb, w, cb, gamma, beta, bn.State.RunningMean, bn.State.RunningVar, bn.State.Eps)
		return autograd.Conv2dFused(x, fw, fb, res, relu, conv.Params)
	}
	from := foldSources{w, cb, gamma, beta, bn.State.RunningMean, bn.State.RunningVar}
	c := conv.folded.Load()
	// Filters made for Winograd that this pass would not run (the precision, -conv or
	// SIMD path changed since) are folded again too.
	if c == nil || !c.matches(from, bn.State.Eps) || c.wino != nil && !c.wino.Usable(x.Value.Shape()) {
		c = newFoldCache(from, bn.State.Eps, x.Value.Shape(), conv.Params)
		conv.folded.Store(c)
	}
	if c.wino != nil {
		return autograd.Conv2dFusedWinograd(x, c.wino, c.fb, res, relu)
	}
	return autograd.Conv2dFused(x, c.fw, c.fb, res, relu, conv.Params)
}

// KeepFolded makes the convolutions under m that run folded with a batch norm (ConvBN)
// keep their folded weights between evaluation passes (on), or fold them afresh each
// pass (off, the default; it also frees what they kept). For inference that runs the
// same weights many times (serving, benchmarks): it spares each pass folding the
// batch norms and transforming and packing the Winograd filters (at 2 threads each
// goroutine packed them for its chunks: layer3 and layer4 of ResNet34 7–11% faster),
// at the cost of a copy of the weights and 4× the 3×3 stride-1 layers' weights kept
// (about 450 MiB for ResNet34), which training with evaluations in between would
// otherwise hold on top of its own memory.
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

// foldCache is a convolution with its batch norm folded in, kept between evaluation
// passes: the folded bias and either the folded weights as Winograd filters ready for
// the GEMMs (functional.WinogradFilters: the 3×3 stride-1 layers that run F(4×4)) or
// the folded weights themselves. Each pass compares the values it was made from
// (from, a copy, and eps) bit for bit with the current ones and folds again when any
// differs (training in between, loaded weights), so it is never stale; the comparison
// reads the weights twice, where folding, transforming and packing them read and
// write about ten times as much. Training passes drop it (Conv2d.Forward in a
// recording graph).
type foldCache struct {
	from foldSources
	eps  float64
	fb   *tensor.Tensor
	fw   *tensor.Tensor              // nil when wino is set
	wino *functional.WinogradFilters // nil when this layer does not run Winograd
}

// newFoldCache folds from (see functional.FoldBatchNorm) for inputs of shape xShape.
func newFoldCache(from foldSources, eps float64, xShape []int, p functional.Conv2dParams) *foldCache {
	c := &foldCache{eps: eps}
	for i, t := range from {
		if t != nil {
			c.from[i] = t.Clone()
		}
	}
	w := from[0]
	c.fw, c.fb = tensor.New(w.Shape()...), tensor.New(w.Dim(0))
	functional.FoldBatchNorm(c.fw, c.fb, w, from[1], from[2], from[3], from[4], from[5], eps)
	if c.wino = functional.NewWinogradFilters(c.fw, xShape, p); c.wino != nil {
		c.fw = nil
	}
	return c
}

// matches reports whether c was folded from exactly these values.
func (c *foldCache) matches(from foldSources, eps float64) bool {
	if c.eps != eps {
		return false
	}
	for i, t := range from {
		if (t == nil) != (c.from[i] == nil) || t != nil && !sameBits(t.Data(), c.from[i].Data()) {
			return false
		}
	}
	return true
}

// sameBits reports whether a and b hold the same float32 bit patterns: a byte
// comparison (fast, and NaN weights compare equal to themselves), split between
// cpu.Threads() goroutines for the large weights so that the other cores do not wait.
func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	eq := func(lo, hi int) bool {
		if lo == hi {
			return true
		}
		return bytes.Equal(unsafe.Slice((*byte)(unsafe.Pointer(&a[lo])), 4*(hi-lo)),
			unsafe.Slice((*byte)(unsafe.Pointer(&b[lo])), 4*(hi-lo)))
	}
	parts := min(cpu.Threads(), len(a)>>18)
	if parts <= 1 {
		return eq(0, len(a))
	}
	var differ atomic.Bool
	var wg sync.WaitGroup
	for i := 1; i < parts; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !eq(len(a)*i/parts, len(a)*(i+1)/parts) {
				differ.Store(true)
			}
		}()
	}
	if !eq(0, len(a)/parts) {
		differ.Store(true)
	}
	wg.Wait()
	return !differ.Load()
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
