package optim

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/fastgo/fastgo/tensor"
)

func TestLRSpread(t *testing.T) {
	cases := []struct {
		lr   LR
		want []float64
	}{
		{LRValue(5e-2), []float64{5e-2, 5e-2, 5e-2}},
		{LRSlice(2e-3), []float64{2e-4, 2e-4, 2e-3}},
		// SPEC §3's exact float64 values.
		{LRRange(1e-6, 1e-4), []float64{1e-6, 9.999999999999999e-06, 9.999999999999999e-05}},
		{LRRange(1e-5, 1e-3), []float64{1e-5, 1e-4, 1e-3}},
		{LRList(1, 2, 3), []float64{1, 2, 3}},
		{LRList(7), []float64{7, 7, 7}},
	}
	for _, c := range cases {
		got, err := c.lr.Spread(3)
		if err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%v spread over 3 groups = %v, want %v", c.lr, got, c.want)
				break
			}
		}
	}
	if got := EvenMults(1e-5, 1e-3, 1); len(got) != 1 || got[0] != 1e-3 {
		t.Errorf("even_mults with n=1 = %v, want [stop]", got)
	}
	for _, bad := range []LR{{}, LRList(1, 2), LRRange(0, 1)} {
		if _, err := bad.Spread(3); err == nil {
			t.Errorf("%v spread over 3 groups accepted", bad)
		}
	}
	o, _ := NewAdam([][]*Param{{newParam("a", []float32{1}, nil, false)}, {}, {}}, AdamDefaults())
	if err := o.SetLR(LRSlice(1e-3)); err != nil {
		t.Fatal(err)
	}
	if h := o.Hypers(); h[0].LR != 1e-4 || h[2].LR != 1e-3 {
		t.Errorf("SetLR(slice(1e-3)) gave %v", h)
	}
}

func TestPyFloat(t *testing.T) {
	for x, want := range map[float64]string{
		1e-05: "1e-05", 0.0001: "0.0001", 1: "1.0", 0.012022644281387329: "0.012022644281387329",
		9.999999999999999e-06: "9.999999999999999e-06", 1e16: "1e+16", 123456789012345.0: "123456789012345.0",
		math.NaN(): "nan", math.Inf(-1): "-inf", 0: "0.0", 2.5e-7: "2.5e-07",
	} {
		if got := PyFloat(x); got != want {
			t.Errorf("PyFloat(%v) = %q, want %q", x, got, want)
		}
	}
	if s := LRRange(1e-5, 1e-3).String(); s != "slice(1e-05, 0.001, None)" {
		t.Errorf("String = %q", s)
	}
}

// specCos is SPEC §4's sched_cos in float64 (the second form, a + (b−a)(1−cos πp)/2).
func specCos(a, b, p float64) float64 { return a + (b-a)*(1-math.Cos(math.Pi*p))/2 }

func TestCombinedCosAgainstSpec(t *testing.T) {
	const pct, lo, mid, hi = 0.25, 0.002, 0.05, 5e-7
	s, err := CombinedCos(pct, lo, mid, hi)
	if err != nil {
		t.Fatal(err)
	}
	if s(0) != lo {
		t.Errorf("pos 0 gives %v, want exactly %v (the first batch gets L/div)", s(0), lo)
	}
	if s(pct) != mid {
		t.Errorf("pos pct gives %v, want the peak %v", s(pct), mid)
	}
	// mid + (1+cos 0)·(hi−mid)/2 is hi up to rounding, as in fastai.
	if math.Abs(s(1)-hi) > 1e-12*mid {
		t.Errorf("pos 1 gives %v, want %v", s(1), hi)
	}
	for _, pos := range []float64{0.01, 0.1, 0.2, 0.3, 0.5, 0.77, 0.99} {
		var want float64
		if pos < pct {
			want = specCos(lo, mid, pos/pct)
		} else {
			want = specCos(mid, hi, (pos-pct)/(1-pct))
		}
		// The within-phase fraction is float32 (relative error ~1e-7, SPEC §4).
		if got := s(pos); math.Abs(got-want) > 1e-6*mid {
			t.Errorf("pos %v: %v, want %v", pos, got, want)
		}
	}
	if _, err := CombineScheds([]float64{0.5, 0.6}, []Sched{SchedNo(1, 1), SchedNo(2, 2)}); err == nil {
		t.Error("fractions summing to 1.1 accepted")
	}
	if got := SchedExp(1e-7, 10)(0.5); math.Abs(got-1e-7*1e4) > 1e-18 {
		t.Errorf("SchedExp half-way = %v", got)
	}
}

// TestOneCycleAgainstFastaiFixture replays fit_one_cycle's per-batch positions (pct_train
// = epoch/n_epoch, += 1/(n_iter·n_epoch) after each batch) and compares every lr and mom
// with fastai's combine_scheds run in torch (float32 bounds and fractions).
func TestOneCycleAgainstFastaiFixture(t *testing.T) {
	for _, name := range []string{"fit4_5e-2", "finetune_frozen", "finetune_unfrozen", "fit3_5e-3_n7", "fit4_slice_n10"} {
		t.Run(name, func(t *testing.T) {
			load := func(suffix string) []float64 {
				x, _, err := tensor.LoadNPY64(filepath.Join("testdata", "onecycle", name+"_"+suffix+".npy"))
				if err != nil {
					t.Fatal(err)
				}
				return x
			}
			args, wantLR, wantMom, wantPos := load("args"), load("lr"), load("mom"), load("pos")
			nEpoch, nIter, div, divFinal, pct := int(args[0]), int(args[1]), args[2], args[3], args[4]
			lrMax := args[5:]
			oc, err := NewOneCycle(lrMax, div, divFinal, pct, [3]float64{0.95, 0.85, 0.95})
			if err != nil {
				t.Fatal(err)
			}
			o, _ := NewAdam([][]*Param{{newParam("a", []float32{1}, nil, false)}, {}, {}}, AdamDefaults())
			k := 0
			for e := 0; e < nEpoch; e++ {
				pos := float64(e) / float64(nEpoch)
				for i := 0; i < nIter; i++ {
					if pos != wantPos[k] {
						t.Fatalf("batch %d: pos %v, fastai %v", k, pos, wantPos[k])
					}
					if err := oc.Apply(o, pos); err != nil {
						t.Fatal(err)
					}
					for g, h := range o.Hypers() {
						w := wantLR[3*k+g]
						// Go's math.Cos and glibc's cos differ in the last ulp, which the
						// cancellation in mid + (1+cos)·(end−mid)/2 magnifies a few times.
						if math.Abs(h.LR-w) > 1e-13*math.Abs(w) {
							t.Fatalf("batch %d group %d: lr %v, fastai %v", k, g, h.LR, w)
						}
						if math.Abs(h.Mom-wantMom[k]) > 1e-14 {
							t.Fatalf("batch %d: mom %v, fastai %v", k, h.Mom, wantMom[k])
						}
					}
					pos += 1 / float64(nIter*nEpoch)
					k++
				}
			}
			if k != len(wantMom) {
				t.Fatalf("%d batches, fixture has %d", k, len(wantMom))
			}
			// SPEC §4: the first batch gets exactly L/div and mom 0.95.
			for g := range lrMax {
				if wantLR[g] != lrMax[g]/div {
					t.Errorf("group %d starts at %v, want %v", g, wantLR[g], lrMax[g]/div)
				}
			}
			if wantMom[0] != 0.95 {
				t.Errorf("mom starts at %v", wantMom[0])
			}
		})
	}
}
