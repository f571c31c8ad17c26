package bn

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/internal/kerneltest"
)

// BenchmarkBN measures each batch-norm kernel on every path at three sizes: in L1
// (4 KiB per operand), in L2 (256 KiB) and in memory (16 MiB), reporting the bytes
// each call reads and writes as MB/s.
func BenchmarkBN(b *testing.B) {
	type op struct {
		name    string
		streams int // operands read + written per element
		run     func(o1, o2, i1, i2, i3 []float32)
	}
	var sink float32
	ops := []op{
		{"stats", 1, func(_, _, x, _, _ []float32) { s, _ := Stats(x, 0.5); sink += s }},
		{"apply", 2, func(o, _, x, _, _ []float32) { Apply(o, x, 1.5, 0.5) }},
		{"applyrelu", 2, func(o, _, x, _, _ []float32) { ApplyReLU(o, x, 1.5, 0.5) }},
		{"applyaddrelu", 3, func(o, _, x, r, _ []float32) { ApplyAddReLU(o, x, r, 1.5, 0.5) }},
		{"gradsums", 2, func(_, _, dy, x, _ []float32) { s, _ := GradSums(dy, x, 0.5); sink += s }},
		{"gradsumsrelu", 3, func(_, _, dy, y, x []float32) { s, _ := GradSumsReLU(dy, y, x, 0.5); sink += s }},
		{"grad", 3, func(o, _, dy, x, _ []float32) { Grad(o, dy, x, 1.5, 0.5, 0.25) }},
		{"gradrelu", 4, func(o, _, dy, y, x []float32) { GradReLU(o, nil, dy, y, x, 1.5, 0.5, 0.25) }},
		{"gradrelures", 5, func(o, o2, dy, y, x []float32) { GradReLU(o, o2, dy, y, x, 1.5, 0.5, 0.25) }},
	}
	for _, isa := range cpu.Available() {
		for _, o := range ops {
			for _, n := range []int{1 << 10, 1 << 16, 1 << 22} {
				b.Run(fmt.Sprintf("isa=%v/%s/n=%d", isa, o.name, n), func(b *testing.B) {
					restore, err := cpu.Use(isa)
					if err != nil {
						b.Skip(err)
					}
					defer restore()
					rng := rand.New(rand.NewPCG(1, 1))
					i1, i2, i3 := kerneltest.RandView(rng, 1, n, n), kerneltest.RandView(rng, 1, n, n), kerneltest.RandView(rng, 1, n, n)
					o1, o2 := kerneltest.RandView(rng, 1, n, n), kerneltest.RandView(rng, 1, n, n)
					b.SetBytes(int64(4 * n * o.streams))
					b.ReportAllocs()
					b.ResetTimer()
					for range b.N {
						o.run(o1, o2, i1, i2, i3)
					}
				})
			}
		}
	}
	_ = sink
}
