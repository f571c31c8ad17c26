package autograd

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/fastgo/fastgo/tensor"
)

// ceRef is the loss in float64 straight from its definition, for finite differences.
func ceRef(x []float64, t []float32, b, c int) float64 {
	var sum float64
	for i := 0; i < b; i++ {
		var s float64
		for k := 0; k < c; k++ {
			s += math.Exp(x[i*c+k])
		}
		for k := 0; k < c; k++ {
			sum -= float64(t[i*c+k]) * (x[i*c+k] - math.Log(s))
		}
	}
	return sum / float64(b)
}

func TestCrossEntropyGradientFiniteDifferences(t *testing.T) {
	// Soft and one-hot targets; the analytic gradient against float64 central differences
	// of the defining formula (step 1e-6: the reference is float64 throughout).
	b, c := 3, 5
	x := randT(21, b, c)
	target := tensor.FromData([]float32{
		0, 0, 1, 0, 0,
		1, 0, 0, 0, 0,
		0.1, 0.2, 0.3, 0.4, 0, // class probabilities, as torch accepts since 1.10
	}, b, c)
	g := NewGraph(nil, Record)
	xv := g.Leaf(x)
	g.Backward(CrossEntropy(xv, target))
	x64 := make([]float64, b*c)
	for i, v := range x.Data() {
		x64[i] = float64(v)
	}
	const h = 1e-6
	for i := range x64 {
		old := x64[i]
		x64[i] = old + h
		up := ceRef(x64, target.Data(), b, c)
		x64[i] = old - h
		down := ceRef(x64, target.Data(), b, c)
		x64[i] = old
		want := (up - down) / (2 * h)
		if got := float64(xv.Grad.Data()[i]); math.Abs(got-want) > 1e-6 {
			t.Errorf("d loss/d x[%d] = %.8f, finite differences %.8f", i, got, want)
		}
	}
	// And the package's float32 gradient check through the whole graph machinery.
	if err := GradCheck(func(g *Graph, in []*Var) *Var { return CrossEntropy(in[0], target) },
		[]*tensor.Tensor{x}, GradCheckOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestCrossEntropyMatchesPyTorch(t *testing.T) {
	for _, name := range []string{"small", "fmnist", "large"} {
		t.Run(name, func(t *testing.T) {
			load := func(s string) *tensor.Tensor {
				x, err := tensor.LoadNPY(filepath.Join("testdata", "cross_entropy", name+"_"+s+".npy"))
				if err != nil {
					t.Fatal(err)
				}
				return x
			}
			x, target, loss, gx := load("x"), load("t"), load("loss"), load("gx")
			g := NewGraph(nil, Record)
			xv := g.Leaf(x)
			l := CrossEntropy(xv, target)
			g.Backward(l)
			// torch sums in float32; ours in float64 then rounds once: a few ulps apart.
			if got, want := l.Value.Data()[0], loss.Data()[0]; math.Abs(float64(got-want)) > 1e-6*math.Max(1, math.Abs(float64(want))) {
				t.Errorf("loss %v, torch %v", got, want)
			}
			for i, want := range gx.Data() {
				if got := xv.Grad.Data()[i]; math.Abs(float64(got-want)) > 1e-6 {
					t.Errorf("gradient[%d] = %v, torch %v", i, got, want)
				}
			}
		})
	}
}
