package gemm

import (
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
)

// FuzzSgemm runs random shapes, transposes, scalars, leading-dimension paddings and
// thread counts on every path against the float64 reference, with guard bands.
// Run it with: go test -fuzz FuzzSgemm ./asm/gemm
func FuzzSgemm(f *testing.F) {
	f.Add(uint16(3), uint16(5), uint16(7), uint16(0), uint64(1))
	f.Add(uint16(49), uint16(1), uint16(300), uint16(5), uint64(2))
	f.Add(uint16(8), uint16(48), uint16(385), uint16(0x1ff), uint64(3))
	f.Add(uint16(97), uint16(130), uint16(1), uint16(0x2a), uint64(4))
	f.Fuzz(func(t *testing.T, m, n, k, flags uint16, seed uint64) {
		betas := []float32{0, 1, -0.5, 2}
		cs := gemmCase{
			m: 1 + int(m)%160, n: 1 + int(n)%160, k: 1 + int(k)%800,
			tA: flags&1 != 0, tB: flags&2 != 0,
			beta:  betas[flags>>2&3],
			alpha: []float32{1, -2}[flags>>4&1],
			padA:  int(flags >> 5 & 3), padB: int(flags >> 7 & 3), padC: int(flags >> 9 & 3),
			threads: int(flags >> 11 & 3),
		}
		for _, isa := range cpu.Available() {
			func() {
				restore, err := cpu.Use(isa)
				if err != nil {
					t.Fatal(err)
				}
				defer restore()
				verifyGemm(t, cs, rand.New(rand.NewPCG(seed, uint64(isa))))
			}()
		}
	})
}
