package learner

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/fastgo/fastgo/optim"
	"github.com/fastgo/fastgo/tensor"
)

func TestSmoothLossAndSuggestionsAgainstFastaiFixture(t *testing.T) {
	for _, name := range []string{"diverge", "full", "nan"} {
		t.Run(name, func(t *testing.T) {
			load := func(suffix string) *tensor.Tensor {
				x, err := tensor.LoadNPY(filepath.Join("testdata", "lrfind", name+"_"+suffix+".npy"))
				if err != nil {
					t.Fatal(err)
				}
				return x
			}
			load64 := func(suffix string) []float64 {
				x, _, err := tensor.LoadNPY64(filepath.Join("testdata", "lrfind", name+"_"+suffix+".npy"))
				if err != nil {
					t.Fatal(err)
				}
				return x
			}
			raw, smooth := load("raw").Data(), load("smooth").Data()
			lrs, suggest := load64("lrs"), load64("suggest")
			var sl SmoothLoss
			f := &lrFinder{sched: optim.SchedExp(1e-7, 10), numIt: 100, stopDiv: true, best: float32(math.Inf(1))}
			var losses []float64
			n := 0
			for k := range raw {
				sl.Add(raw[k])
				got := sl.Value()
				if !(got == smooth[k] || math.IsNaN(float64(got)) && math.IsNaN(float64(smooth[k]))) {
					t.Fatalf("batch %d: smoothed %v, fastai %v", k, got, smooth[k])
				}
				// Go's math.Pow is not correctly rounded like glibc's pow: up to ~10 ulp here.
				if lr := f.sched(float64(k) / 100); math.Abs(lr-lrs[k]) > 3e-15*lrs[k] {
					t.Fatalf("batch %d: lr %v, fastai %v", k, lr, lrs[k])
				}
				losses = append(losses, float64(got))
				n++
				if f.stop(got, k+1) {
					break
				}
			}
			if n != len(smooth) {
				t.Fatalf("stopped after %d batches, fastai after %d", n, len(smooth))
			}
			s, err := Suggest(lrs, losses, 100)
			if err != nil {
				t.Fatal(err)
			}
			if s.LRMin != suggest[0] || s.LRSteep != suggest[1] {
				t.Errorf("suggestions %v, fastai (%v, %v)", s, suggest[0], suggest[1])
			}
		})
	}
}

func TestSuggestOnSyntheticCurve(t *testing.T) {
	// 100 log-spaced lrs; the loss is flat, falls in steps of 0.01 from k=30 with one
	// drop of 0.1 between k=44 and 45, bottoms out at k=70 and rises after.
	lrs := make([]float64, 100)
	losses := make([]float64, 100)
	v := 1.0
	for k := range lrs {
		lrs[k] = 1e-7 * math.Pow(1e8, float64(k)/100)
		switch {
		case k == 45:
			v -= 0.1
		case k > 30 && k <= 70:
			v -= 0.01
		case k > 70:
			v += 0.05
		}
		losses[k] = v
	}
	s, err := Suggest(lrs, losses, 100)
	if err != nil {
		t.Fatal(err)
	}
	if want := float64(float32(lrs[70])) / 10; s.LRMin != want {
		t.Errorf("lr_min %v, want lr[70]/10 = %v", s.LRMin, want)
	}
	if want := float64(float32(lrs[44])); s.LRSteep != want {
		t.Errorf("lr_steep %v, want lr[44] = %v", s.LRSteep, want)
	}
	// Python's repr of the same floats.
	if got := s.String(); got != "SuggestedLRs(lr_min=0.003981071710586548, lr_steep=0.0003311311302240938)" {
		t.Errorf("String() = %q", got)
	}
	// Too few points: 10 skipped at the start and 5 at the end leave fewer than 2.
	if _, err := Suggest(lrs[:16], losses[:16], 100); err == nil {
		t.Error("16 points gave suggestions")
	}
}

func TestLRFindRestoresAndStops(t *testing.T) {
	s := newToy(t, Config{})
	s.l.Freeze()
	// Train a little first so that the optimiser has state and hyper-parameters to restore.
	if err := s.l.FitOneCycle(1, optim.LRValue(1e-2), DefaultOneCycle()); err != nil {
		t.Fatal(err)
	}
	s.out.Reset()
	model := s.l.snapshotModel()
	opt := s.l.Opt.State()
	plot := filepath.Join(t.TempDir(), "lr_find.png")
	o := DefaultLRFind()
	o.PlotPath = plot
	res, err := s.l.LRFind(o)
	if err != nil {
		t.Fatal(err)
	}
	// The sweep: lr_k = 1e-7·(1e8)^(k/100) before batch k, at most 100 batches.
	n := len(res.LRs)
	if n == 0 || n > 100 {
		t.Fatalf("%d batches", n)
	}
	for k, lr := range res.LRs {
		if lr != 1e-7*math.Pow(10/1e-7, float64(k)/100) {
			t.Fatalf("batch %d lr %v", k, lr)
		}
	}
	// It ran until the smoothed loss exceeded 4× its minimum, or 100 batches.
	best := math.Inf(1)
	for k, l := range res.Losses {
		best = math.Min(best, l)
		diverged := float32(l) > 4*float32(best)
		if diverged != (k == n-1 && n < 100) {
			t.Fatalf("batch %d: loss %v, best %v, %d batches run", k, l, best, n)
		}
	}
	// Model and optimiser (state and hyper-parameters, mom included) are restored.
	for k, v := range s.l.Model.StateDict() {
		if !same(v.Data(), model[k].Data()) {
			t.Errorf("%s not restored", k)
		}
	}
	after := s.l.Opt.State()
	for k, v := range opt.Scalars {
		if after.Scalars[k] != v {
			t.Errorf("optimiser %s = %v after lr_find, %v before", k, after.Scalars[k], v)
		}
	}
	for k, v := range opt.Tensors {
		if !same(after.Tensors[k].Data(), v.Data()) {
			t.Errorf("optimiser %s not restored", k)
		}
	}
	for _, p := range s.m.all() {
		if p.Var.Grad != nil && p.Var.Grad.Sum() != 0 {
			t.Errorf("%s gradient not zeroed", p.Name)
		}
	}
	// No table, the suggestions printed, the plot written.
	want, err := Suggest(res.LRs, res.Losses, 100)
	if err != nil || res.Suggested == nil || *res.Suggested != want {
		t.Fatalf("suggested %v, recomputed %v (%v)", res.Suggested, want, err)
	}
	if out := s.out.String(); out != want.String()+"\n" {
		t.Errorf("output %q", out)
	}
	f, err := os.Open(plot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if cfg, err := png.DecodeConfig(f); err != nil || cfg.Width < 100 {
		t.Errorf("plot: %v, %+v", err, cfg)
	}
	// The pass that stopped early was handed back to the loader.
	if s.train.released != n+8 {
		t.Errorf("loader saw %d batches released, want %d", s.train.released, n+8)
	}
}
