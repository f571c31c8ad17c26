package learner

import (
	"iter"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/optim"
	"github.com/fastgo/fastgo/tensor"
)

// passModel returns its input as the outputs: x [1, B, 1, C] → [B, C], so the
// predictions of a pass are exactly the values its loader yielded.
type passModel struct {
	w        *optim.Param // unused; the optimiser needs a parameter
	training bool
}

func newPassModel() *passModel {
	return &passModel{w: &optim.Param{Name: "w", Var: autograd.NewParam(tensor.New(1, 1))}}
}

func (m *passModel) Forward(g *autograd.Graph, x *autograd.Var) *autograd.Var {
	return g.Input(x.Value.Reshape(x.Value.Dim(1), x.Value.Dim(3)))
}
func (m *passModel) Train(on bool)                 { m.training = on }
func (m *passModel) ParamGroups() [][]*optim.Param { return [][]*optim.Param{{m.w}} }
func (m *passModel) StateDict() map[string]*tensor.Tensor {
	return map[string]*tensor.Tensor{"w": m.w.Var.Value}
}
func (m *passModel) LoadStateDict(map[string]*tensor.Tensor) error { return nil }

// shiftLoader yields fixed values x[i][c] (items in order, batches of bs, the last
// partial one kept) and targets y[i]; an augmenting one adds its pass number (1, 2, …)
// to every value, a known "transform" whose mean over n passes is x + (n+1)/2.
type shiftLoader struct {
	x, y     [][]float32
	bs       int
	augment  bool
	passes   int
	augments *shiftLoader // what Augmented returns
}

func (l *shiftLoader) Len() int { return (len(l.x) + l.bs - 1) / l.bs }

func (l *shiftLoader) Batches() iter.Seq2[Batch, error] {
	l.passes++
	shift := float32(0)
	if l.augment {
		shift = float32(l.passes)
	}
	return func(yield func(Batch, error) bool) {
		for s := 0; s < len(l.x); s += l.bs {
			e := min(s+l.bs, len(l.x))
			c, k := len(l.x[0]), len(l.y[0])
			x, y := tensor.New(1, e-s, 1, c), tensor.New(e-s, k)
			for i := s; i < e; i++ {
				for j, v := range l.x[i] {
					x.Data()[(i-s)*c+j] = v + shift
				}
				copy(y.Data()[(i-s)*k:], l.y[i])
			}
			if !yield(Batch{X: x, Y: y}, nil) {
				return
			}
		}
	}
}

func (l *shiftLoader) Augmented() Loader { return l.augments }

func newShiftLoaders() (plain, aug *shiftLoader) {
	x := [][]float32{{0.5, -1, 2}, {3, 0, -0.25}, {-2, 1.5, 1}, {0, 0, 0}, {1, -3, 0.75}}
	y := [][]float32{{0, 0, 1}, {1, 0, 0}, {0, 1, 0}, {1, 0, 0}, {1, 0, 0}}
	aug = &shiftLoader{x: x, y: y, bs: 2, augment: true}
	plain = &shiftLoader{x: x, y: y, bs: 2, augments: aug}
	return plain, aug
}

func newTTALearner(t *testing.T, valid Loader) *Learner {
	t.Helper()
	tr, _ := newShiftLoaders()
	l, err := New(newPassModel(), tr, valid, Config{Out: &strings.Builder{}})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func closeTo(t *testing.T, what string, got []float32, want func(i int) float64) {
	t.Helper()
	for i, g := range got {
		if w := want(i); math.Abs(float64(g)-w) > 1e-5 {
			t.Fatalf("%s[%d] = %g, want %g", what, i, g, w)
		}
	}
}

func TestTTACombinesPasses(t *testing.T) {
	for _, tc := range []struct {
		n      int
		beta   float64
		useMax bool
	}{{4, 1, false}, {4, 0, false}, {4, 0.25, false}, {3, 0.4, false}, {1, 0.25, false}, {4, 0.25, true}, {2, 0.9, true}} {
		plain, aug := newShiftLoaders()
		l := newTTALearner(t, plain)
		l.Model.Train(true)
		r, err := l.TTA(TTAOptions{N: tc.n, Beta: tc.beta, UseMax: tc.useMax, Act: NoActivation})
		if err != nil {
			t.Fatal(err)
		}
		if aug.passes != tc.n || plain.passes != 1 {
			t.Fatalf("n=%d: %d augmented and %d plain passes, want %d and 1", tc.n, aug.passes, plain.passes, tc.n)
		}
		if l.Model.(*passModel).training {
			t.Fatal("TTA left the model in training mode")
		}
		if got := r.Preds.Shape(); len(got) != 2 || got[0] != 5 || got[1] != 3 {
			t.Fatalf("preds shape %v, want [5 3]", got)
		}
		x := func(i int) float64 { return float64(plain.x[i/3][i%3]) }
		closeTo(t, "plain", r.Plain.Data(), x)
		closeTo(t, "targets", r.Targets.Data(), func(i int) float64 { return float64(plain.y[i/3][i%3]) })
		if tc.useMax {
			// the maximum over passes 1…n is the last pass, x + n, above the plain x
			closeTo(t, "aug (max)", r.Aug.Data(), func(i int) float64 { return x(i) + float64(tc.n) })
			closeTo(t, "preds (max)", r.Preds.Data(), func(i int) float64 { return x(i) + float64(tc.n) })
			continue
		}
		mean := func(i int) float64 { return x(i) + float64(tc.n+1)/2 }
		closeTo(t, "aug (mean)", r.Aug.Data(), mean)
		closeTo(t, "preds", r.Preds.Data(), func(i int) float64 { return (1-tc.beta)*mean(i) + tc.beta*x(i) })
		if (tc.beta == 1 && !slices.Equal(r.Preds.Data(), r.Plain.Data())) || (tc.beta == 0 && !slices.Equal(r.Preds.Data(), r.Aug.Data())) {
			t.Fatalf("beta=%g: the predictions are not exactly the plain (1) or augmented (0) ones", tc.beta)
		}
	}
}

func TestTTAActivations(t *testing.T) {
	for _, act := range []Activation{Softmax, Sigmoid} {
		plain, _ := newShiftLoaders()
		l := newTTALearner(t, nil)
		r, err := l.TTA(TTAOptions{DL: plain, N: 2, Beta: 0.25, Act: act})
		if err != nil {
			t.Fatal(err)
		}
		// each pass is activated before the combination: pass k sees x + k
		f := func(row []float32, shift float64, j int) float64 {
			if act == Sigmoid {
				return 1 / (1 + math.Exp(-(float64(row[j]) + shift)))
			}
			s := 0.0
			for _, v := range row {
				s += math.Exp(float64(v) + shift)
			}
			return math.Exp(float64(row[j])+shift) / s
		}
		closeTo(t, act.String(), r.Preds.Data(), func(i int) float64 {
			row, j := plain.x[i/3], i%3
			aug := (f(row, 1, j) + f(row, 2, j)) / 2
			return 0.75*aug + 0.25*f(row, 0, j)
		})
		if act == Softmax {
			for i := 0; i < 5; i++ {
				s := 0.0
				for _, v := range r.Preds.Data()[i*3 : i*3+3] {
					s += float64(v)
				}
				if math.Abs(s-1) > 1e-5 {
					t.Fatalf("softmax TTA row %d sums to %g", i, s)
				}
			}
		}
	}
}

func TestTTAErrors(t *testing.T) {
	plain, aug := newShiftLoaders()
	l := newTTALearner(t, plain)
	for _, tc := range []struct {
		o    TTAOptions
		want string
	}{
		{TTAOptions{N: 0, Beta: 0.25}, "n = 0"},
		{TTAOptions{N: 4, Beta: 1.5}, "beta = 1.5"},
		{TTAOptions{N: 4, Beta: math.NaN()}, "beta = NaN"},
		{TTAOptions{N: 1, Beta: 0.25, DL: struct{ Loader }{aug}}, "cannot apply the training transforms"},
		{TTAOptions{N: 1, Beta: 0.25, Aug: &shiftLoader{x: plain.x[:4], y: plain.y[:4], bs: 2}}, "the plain pass"},
		{TTAOptions{N: 1, Beta: 0.25, Aug: &shiftLoader{x: plain.x, y: [][]float32{{0, 0, 1}, {1, 0, 0}, {0, 1, 0}, {1, 0, 0}, {0, 1, 0}}, bs: 2}}, "item 4"},
	} {
		if _, err := l.TTA(tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("TTA(%+v): error %v, want one containing %q", tc.o, err, tc.want)
		}
	}
	if _, err := newTTALearner(t, nil).TTA(DefaultTTA(Softmax)); err == nil || !strings.Contains(err.Error(), "no validation loader") {
		t.Errorf("TTA without a loader: error %v", err)
	}
}

func TestGetPredsDefaultsToValid(t *testing.T) {
	plain, _ := newShiftLoaders()
	l := newTTALearner(t, plain)
	p, y, err := l.GetPreds(nil, NoActivation)
	if err != nil {
		t.Fatal(err)
	}
	if plain.passes != 1 || p.Dim(0) != 5 || y.Dim(0) != 5 {
		t.Fatalf("%d passes, preds %v, targets %v", plain.passes, p.Shape(), y.Shape())
	}
	if d := DefaultTTA(Softmax); d.N != 4 || d.Beta != 0.25 || d.UseMax || d.Act != Softmax {
		t.Fatalf("DefaultTTA = %+v, want fastai's n=4 beta=0.25", d)
	}
}
