package functional

import (
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/fastgo/fastgo/tensor"
)

func TestSwapNCAndFlatten(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	nchw := randT(rng, 3, 4, 2, 5)
	cnhw := ToCNHW(nchw)
	if got := cnhw.At(2, 1, 1, 3); got != nchw.At(1, 2, 1, 3) {
		t.Errorf("ToCNHW: x[2,1,1,3] = %v, want NCHW x[1,2,1,3] = %v", got, nchw.At(1, 2, 1, 3))
	}
	if d := tensor.MaxAbsDiff(ToNCHW(cnhw), nchw); d != 0 {
		t.Errorf("ToNCHW(ToCNHW(x)) differs from x by %v", d)
	}
	// Flatten of CNHW equals PyTorch's flatten of NCHW: the NCHW data reshaped.
	shape, err := FlattenShape(cnhw.Shape())
	if err != nil {
		t.Fatal(err)
	}
	flat := tensor.New(shape...)
	Flatten(flat, cnhw)
	if d := tensor.MaxAbsDiff(flat, nchw.Reshape(3, 40)); d != 0 {
		t.Errorf("Flatten differs from NCHW reshape by %v", d)
	}
	back := filled(cnhw, float32(math.NaN()))
	FlattenBackward(Overwrite(back), flat)
	if d := tensor.MaxAbsDiff(back, cnhw); d != 0 {
		t.Errorf("FlattenBackward(Flatten(x)) differs from x by %v", d)
	}
	FlattenBackward(Accumulate(back), flat)
	for i, v := range back.Data() {
		if v != 2*cnhw.Data()[i] {
			t.Fatalf("accumulated FlattenBackward[%d] = %v, want %v", i, v, 2*cnhw.Data()[i])
		}
	}
}

func TestReluAndAdd(t *testing.T) {
	forEachISA(t, func(t *testing.T) {
		x := tensor.FromData([]float32{-2, -0, 0, 1e-30, 3, -1}, 2, 3)
		y := tensor.New(2, 3)
		Relu(y, x)
		want := []float32{0, 0, 0, 1e-30, 3, 0}
		for i, v := range y.Data() {
			if v != want[i] {
				t.Fatalf("Relu = %v, want %v", y.Data(), want)
			}
		}
		dy := tensor.FromData([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
		dx := filled(x, float32(math.NaN()))
		ReluBackward(Overwrite(dx), dy, y)
		wantDx := []float32{0, 0, 0, 4, 5, 0}
		for i, v := range dx.Data() {
			if v != wantDx[i] {
				t.Fatalf("ReluBackward = %v, want %v", dx.Data(), wantDx)
			}
		}
		ReluBackward(Accumulate(dx), dy, y)
		for i, v := range dx.Data() {
			if v != 2*wantDx[i] {
				t.Fatalf("accumulated ReluBackward = %v, want 2×%v", dx.Data(), wantDx)
			}
		}
		Relu(x, x) // in place
		for i, v := range x.Data() {
			if v != want[i] {
				t.Fatalf("in-place Relu = %v, want %v", x.Data(), want)
			}
		}
		s := tensor.New(2, 3)
		Add(s, y, dy)
		g := filled(s, 1)
		AccumulateGrad(Accumulate(g), dy)
		for i := range s.Data() {
			if s.Data()[i] != y.Data()[i]+dy.Data()[i] || g.Data()[i] != 1+dy.Data()[i] {
				t.Fatalf("Add = %v, AccumulateGrad = %v", s.Data(), g.Data())
			}
		}
	})
}

func TestDropout(t *testing.T) {
	const n = 100000
	x := tensor.Full(2, n)
	for _, p := range []float64{0, 0.25, 0.5, 1} {
		y, mask := tensor.New(n), tensor.New(n)
		Dropout(y, mask, x, p, rand.New(rand.NewPCG(1, 1)))
		kept := 0
		for i, v := range y.Data() {
			switch {
			case v == 0 && mask.Data()[i] == 0:
			case p < 1 && v == float32(2/(1-p)) && mask.Data()[i] == float32(1/(1-p)):
				kept++
			default:
				t.Fatalf("p=%v: y[%d] = %v with mask %v", p, i, v, mask.Data()[i])
			}
		}
		// The kept fraction is Binomial(n, 1−p)/n: within 5 standard deviations.
		frac, sd := float64(kept)/n, math.Sqrt(p*(1-p)/n)
		if math.Abs(frac-(1-p)) > 5*sd+1e-12 {
			t.Errorf("p=%v: kept %.4f of the elements, want %.4f ± %.4f", p, frac, 1-p, 5*sd)
		}
		// Seeded: the same seed gives the same mask.
		y2, mask2 := tensor.New(n), tensor.New(n)
		Dropout(y2, mask2, x, p, rand.New(rand.NewPCG(1, 1)))
		if d := tensor.MaxAbsDiff(mask, mask2); d != 0 {
			t.Errorf("p=%v: masks from the same seed differ", p)
		}
		dy := tensor.Full(3, n)
		dx := tensor.Full(1, n)
		DropoutBackward(Accumulate(dx), dy, mask)
		for i, v := range dx.Data() {
			if v != 1+3*mask.Data()[i] {
				t.Fatalf("p=%v: DropoutBackward[%d] = %v, want %v", p, i, v, 1+3*mask.Data()[i])
			}
		}
	}
}

func TestScratchReuse(t *testing.T) {
	DropScratch()
	a := getScratch(1000)
	putScratch(a)
	before := ScratchBytes()
	b := getScratch(800)
	if &b[0] != &a[0] {
		t.Error("a freed buffer large enough was not reused")
	}
	putScratch(b)
	if ScratchBytes() != before {
		t.Errorf("scratch grew from %d to %d bytes on reuse", before, ScratchBytes())
	}
	DropScratch()
	if ScratchBytes() != 0 {
		t.Errorf("after DropScratch %d bytes remain", ScratchBytes())
	}
}

// TestPackedReuse checks the free lists of packed bf16 operands: a convolution call
// gets back the operand of its shape that an earlier call returned, across garbage
// collections (which emptied the sync.Pool used before), never one of another shape,
// and DropScratch forgets them.
func TestPackedReuse(t *testing.T) {
	DropScratch()
	w := make([]float32, 24*40)
	a := getPacked(24, 40)
	a.Pack(false, 24, 40, 1, w, 40)
	putPacked(a)
	runtime.GC()
	runtime.GC()
	if b := getPacked(20, 40); b == a {
		t.Error("an operand packed as 24×40 was handed out for 20×40")
	}
	b := getPacked(24, 40)
	if b != a {
		t.Error("the 24×40 operand was not reused after two garbage collections")
	}
	putPacked(b)
	DropScratch()
	if c := getPacked(24, 40); c == a {
		t.Error("DropScratch kept the free packed operands")
	}
}
