package optim

import (
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/tensor"
)

// Step on several goroutines gives exactly the single-goroutine result.
func TestParallelStepMatchesSerial(t *testing.T) {
	build := func() (*Optimizer, []*Param) {
		rng := rand.New(rand.NewPCG(5, 6))
		var ps []*Param
		for i, n := range []int{700000, 300000, 5, 260000, 1} {
			v := autograd.NewParam(tensor.RandN(rng, 1, n))
			v.Grad = tensor.RandN(rng, 1, n)
			ps = append(ps, &Param{Name: string(rune('a' + i)), Var: v, NoDecay: i == 1})
		}
		o, err := NewAdam([][]*Param{ps[:2], ps[2:]}, AdamDefaults())
		if err != nil {
			t.Fatal(err)
		}
		return o, ps
	}
	serial, ps1 := build()
	parallel, ps2 := build()
	prev := runtime.GOMAXPROCS(1)
	for i := 0; i < 3; i++ {
		serial.Step()
	}
	runtime.GOMAXPROCS(3)
	for i := 0; i < 3; i++ {
		parallel.Step()
	}
	runtime.GOMAXPROCS(prev)
	for i := range ps1 {
		a, b := ps1[i].Var.Value.Data(), ps2[i].Var.Value.Data()
		for j := range a {
			if a[j] != b[j] {
				t.Fatalf("param %d element %d: serial %v, parallel %v", i, j, a[j], b[j])
			}
		}
	}
}
