package vec

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/internal/kerneltest"
)

// BenchmarkVec measures each vector kernel on every path at three sizes: in L1
// (4 KiB per operand), in L2 (256 KiB) and in memory (16 MiB), reporting the bytes
// each call reads and writes as MB/s (go test's -benchmem-free throughput column).
func BenchmarkVec(b *testing.B) {
	type op struct {
		name    string
		streams int // operands read + written per element
		run     func(x, y, z []float32)
	}
	var sink float32
	ops := []op{
		{"axpy", 3, func(x, y, _ []float32) { Axpy(0.5, x, y) }},
		{"scale", 2, func(x, _, _ []float32) { Scale(1.0000001, x) }},
		{"add", 3, func(x, y, z []float32) { Add(z, x, y) }},
		{"mul", 3, func(x, y, z []float32) { Mul(z, x, y) }},
		{"relu", 2, func(x, _, z []float32) { Relu(z, x) }},
		{"relubackward", 3, func(x, y, z []float32) { ReluBackward(z, x, y) }},
		{"sum", 1, func(x, _, _ []float32) { sink += Sum(x) }},
		{"dot", 2, func(x, y, _ []float32) { sink += Dot(x, y) }},
		{"max", 1, func(x, _, _ []float32) { sink += Max(x) }},
	}
	paths := []cpu.ISA{}
	paths = append(paths, cpu.Available()...)
	for _, isa := range paths {
		for _, o := range ops {
			for _, n := range []int{1 << 10, 1 << 16, 1 << 22} {
				b.Run(fmt.Sprintf("isa=%v/%s/n=%d", isa, o.name, n), func(b *testing.B) {
					restore, err := cpu.Use(isa)
					if err != nil {
						b.Skip(err)
					}
					defer restore()
					rng := rand.New(rand.NewPCG(1, 1))
					x, y, z := kerneltest.RandView(rng, 1, n, n), kerneltest.RandView(rng, 1, n, n), make([]float32, n)
					b.SetBytes(int64(4 * n * o.streams))
					b.ReportAllocs()
					for range b.N {
						o.run(x, y, z)
					}
				})
			}
		}
	}
	_ = sink
}
