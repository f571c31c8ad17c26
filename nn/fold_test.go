package nn

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/tensor"
)

// An evaluation graph that records nothing runs each conv → batch norm (→ residual →
// ReLU) folded (ConvBN); a recording eval-mode graph runs the modules one by one. With
// non-trivial running statistics and affine parameters both give the same logits to
// float32 rounding, on every dispatch path, for basic and bottleneck blocks.
func TestFoldedEvalMatchesUnfolded(t *testing.T) {
	for _, a := range []Arch{ResNet34, ResNet50} {
		t.Run(a.Name, func(t *testing.T) { foldedEvalMatchesUnfolded(t, a) })
	}
}

func foldedEvalMatchesUnfolded(t *testing.T, a Arch) {
	arch := NewResNetArch(a, [4]int{8, 16, 32, 64}, 10)
	rng := rand.New(rand.NewPCG(7, 8))
	InitResNet(arch, rng)
	c := NewCNN(arch, 5, rng, 3)
	for _, m := range Members(c) {
		switch {
		case strings.HasSuffix(m.Name, "running_mean"):
			fill(m.Buffer.Data(), func() float64 { return rng.NormFloat64() * 0.3 })
		case strings.HasSuffix(m.Name, "running_var"):
			fill(m.Buffer.Data(), func() float64 { return 0.5 + rng.Float64() })
		case m.Kind == NormParam && strings.HasSuffix(m.Name, "weight"):
			fill(m.Param.Value.Data(), func() float64 { return 0.5 + rng.Float64() })
		case m.Kind == NormParam:
			fill(m.Param.Value.Data(), func() float64 { return rng.NormFloat64() * 0.2 })
		}
	}
	x := tensor.RandN(rng, 1, 3, 3, 48, 48)
	run := func(mode autograd.Mode) []float32 {
		g := autograd.NewGraph(nil, mode)
		y := c.Forward(g, g.Input(x))
		out := append([]float32(nil), y.Value.Data()...)
		g.Release()
		return out
	}
	forEachISA(t, func(t *testing.T) {
		folded, plain := run(autograd.NoGrad), run(autograd.Record)
		var maxAbs, maxDiff float64
		for i := range plain {
			maxAbs = math.Max(maxAbs, math.Abs(float64(plain[i])))
			maxDiff = math.Max(maxDiff, math.Abs(float64(folded[i]-plain[i])))
		}
		// Rounding differences only (see TestEvalForwardFreesActivations): a wrong fold
		// (variance for std, a missing bias or residual) moves logits by O(max|logit|).
		if !(maxDiff <= 1e-4*maxAbs) {
			t.Errorf("folded logits differ from unfolded by %.3g (max |logit| %.3g)", maxDiff, maxAbs)
		}
		t.Logf("max |folded − unfolded| = %.3g of max |logit| %.3g", maxDiff, maxAbs)
	})
}

func fill(d []float32, f func() float64) {
	for i := range d {
		d[i] = float32(f())
	}
}

// convs returns every Conv2d under m.
func convs(m Module) []*Conv2d {
	var out []*Conv2d
	if c, ok := m.(*Conv2d); ok {
		out = append(out, c)
	}
	for _, ch := range m.Children() {
		out = append(out, convs(ch.Module)...)
	}
	return out
}

// Under KeepFolded evaluation passes keep each layer's folded weights (and Winograd filters) between
// calls and never use stale ones: a second pass reuses them and gives the same logits
// bit for bit; after a weight or a running statistic changes, and on each dispatch
// path in turn (the filters packed for the last path are made again), the logits are
// those of a model built afresh with the same values; a training pass drops them, and
// without KeepFolded nothing is kept (the same logits).
func TestFoldCacheFollowsWeights(t *testing.T) {
	arch := NewResNetArch(ResNet34, [4]int{8, 16, 32, 64}, 10)
	rng := rand.New(rand.NewPCG(9, 10))
	InitResNet(arch, rng)
	c := NewCNN(arch, 5, rng, 3)
	KeepFolded(c, true)
	for _, m := range Members(c) {
		if strings.HasSuffix(m.Name, "running_var") {
			fill(m.Buffer.Data(), func() float64 { return 0.5 + rng.Float64() })
		}
	}
	x := tensor.RandN(rng, 1, 3, 2, 40, 40)
	eval := func(m Module) []float32 {
		g := autograd.NewGraph(nil, autograd.NoGrad)
		y := m.Forward(g, g.Input(x))
		out := append([]float32(nil), y.Value.Data()...)
		g.Release()
		return out
	}
	same := func(t *testing.T, what string, a, b []float32) {
		t.Helper()
		if !sameBits(a, b) {
			t.Fatalf("%s: logits differ", what)
		}
	}
	// fresh copies c's values into a new model (its caches empty) and evaluates it.
	fresh := func() []float32 {
		f := NewCNN(arch, 5, rand.New(rand.NewPCG(1, 1)), 3)
		src, dst := Members(c), Members(f)
		for i := range src {
			switch {
			case src[i].Param != nil:
				copy(dst[i].Param.Value.Data(), src[i].Param.Value.Data())
			case src[i].Buffer != nil:
				copy(dst[i].Buffer.Data(), src[i].Buffer.Data())
			}
		}
		return eval(f)
	}
	var wino int
	forEachISA(t, func(t *testing.T) {
		first := eval(c)
		kept := make([]*foldCache, 0)
		for _, cv := range convs(c) {
			kept = append(kept, cv.folded.Load())
			if cv.folded.Load() != nil && cv.folded.Load().wino != nil {
				wino++
			}
		}
		same(t, "second pass", eval(c), first)
		for i, cv := range convs(c) {
			if cv.folded.Load() != kept[i] {
				t.Fatalf("conv %d folded again with unchanged weights", i)
			}
		}
		same(t, "first pass against a fresh model", first, fresh())
		for _, m := range Members(c) {
			switch {
			case m.Param != nil && m.Kind == Weight:
				m.Param.Value.Data()[0] += 0.25
			case strings.HasSuffix(m.Name, "running_mean"):
				m.Buffer.Data()[0] += 0.5
			}
		}
		changed := eval(c)
		same(t, "after changing weights and means", changed, fresh())
		if sameBits(changed, first) {
			t.Fatal("changing the weights did not change the logits")
		}
	})
	g := autograd.NewGraph(nil, autograd.Record)
	g.Training = true
	c.Forward(g, g.Input(x))
	g.Release()
	for i, cv := range convs(c) {
		if cv.folded.Load() != nil {
			t.Fatalf("conv %d keeps its folded weights after a training pass", i)
		}
	}
	if wino == 0 && (cpu.Active() == cpu.AVX512 || cpu.Active() == cpu.AVX2) {
		t.Error("no layer kept Winograd filters")
	}
}

// sameBits reports whether a and b hold the same float32 bit patterns.
func sameBits(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return false
		}
	}
	return true
}

// A fingerprint (foldCache's check that the folded values are unchanged) is the same
// for equal values in another slice and changes when one bit of any part changes (the
// slice is long enough to be hashed in parts on two threads), and with the length.
func TestFingerprintSeesEveryChange(t *testing.T) {
	defer cpu.SetThreads(0)
	cpu.SetThreads(2)
	rng := rand.New(rand.NewPCG(3, 5))
	a := make([]float32, 3<<18+7)
	for i := range a {
		a[i] = float32(rng.NormFloat64())
	}
	b := append([]float32(nil), a...)
	sum := fingerprint(a)
	if fingerprint(b) != sum {
		t.Fatal("equal values in another slice fingerprint differently")
	}
	for _, i := range []int{0, len(a) / 2, len(a) - 1} {
		b[i] = math.Float32frombits(math.Float32bits(b[i]) ^ 1)
		if fingerprint(b) == sum {
			t.Fatalf("flipping the lowest bit of element %d left the fingerprint unchanged", i)
		}
		b[i] = a[i]
	}
	if fingerprint(a[:len(a)-1]) == sum || fingerprint(nil) == fingerprint(make([]float32, 1)) {
		t.Fatal("the length does not enter the fingerprint")
	}
}
