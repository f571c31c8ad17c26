package optim

import (
	"fmt"
	"testing"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/tensor"
)

// BenchmarkStep measures one optimiser step over a parameter of n elements; ns/elem
// times 21.8M estimates a ResNet34 step.
func BenchmarkStep(b *testing.B) {
	for _, n := range []int{1 << 16, 1 << 22} {
		for _, mk := range []struct {
			name string
			f    func([][]*Param) (*Optimizer, error)
		}{
			{"Adam", func(g [][]*Param) (*Optimizer, error) { return NewAdam(g, AdamDefaults()) }},
			{"SGD", func(g [][]*Param) (*Optimizer, error) { return NewSGD(g, SGDConfig{LR: 1e-3, Mom: 0.9, WD: 0.01}) }},
		} {
			b.Run(fmt.Sprintf("%s/n=%d", mk.name, n), func(b *testing.B) {
				v := autograd.NewParam(tensor.Full(0.5, n))
				v.Grad = tensor.Full(0.01, n)
				o, err := mk.f([][]*Param{{{Name: "p", Var: v}}})
				if err != nil {
					b.Fatal(err)
				}
				b.SetBytes(int64(4 * n))
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					o.Step()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/elem")
			})
		}
	}
}
