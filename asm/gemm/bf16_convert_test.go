package gemm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
)

// TestBF16Convert checks ToBF16, ToBF16Centred and FromBF16 on every path with bf16 kernels against
// their Go twins bit for bit (special values included: ties, denormals, infinities,
// NaNs), on lengths around the 16-value vector and large, that nothing past the
// converted length is written, and that a stored value rounds back to itself: what a
// bf16 GEMM packs from a widened stored value is what it packs from the original.
func TestBF16Convert(t *testing.T) {
	paths := map[string]*bf16Kernel{"generic": bf16Generic}
	for isa, g := range bf16Kernels {
		if g != nil {
			paths[cpu.ISA(isa).String()] = g
		}
	}
	for name, g := range paths {
		t.Run(name, func(t *testing.T) {
			to, from, toC := g.toBF16, g.fromBF16, g.toBF16Centred
			if to == nil {
				to = toBF16Generic
			}
			if toC == nil {
				toC = toBF16CentredGeneric
			}
			if from == nil {
				from = fromBF16Generic
			}
			rng := rand.New(rand.NewPCG(13, 5))
			for _, n := range []int{0, 1, 7, 15, 16, 17, 31, 32, 33, 47, 101, 1024, 100003} {
				src := specialFloats(rng, n)
				bits := make([]uint16, n+3)
				for i := range bits {
					bits[i] = 0xdead
				}
				to(bits[:n], src)
				for i, v := range src {
					if want := BF16Bits(v); bits[i] != want {
						t.Fatalf("n=%d: toBF16(%#08x) = %#04x, want %#04x", n, math.Float32bits(v), bits[i], want)
					}
				}
				for i := n; i < len(bits); i++ {
					if bits[i] != 0xdead {
						t.Fatalf("n=%d: word %d past the end written", n, i)
					}
				}
				centre := float32(rng.NormFloat64() * 10)
				cbits := make([]uint16, n+3)
				toC(cbits[:n], src, centre)
				for i, v := range src {
					if want := BF16Bits(v - centre); cbits[i] != want {
						t.Fatalf("n=%d: toBF16Centred(%#08x, %v) = %#04x, want %#04x", n, math.Float32bits(v), centre, cbits[i], want)
					}
				}
				if cbits[n] != 0 {
					t.Fatalf("n=%d: centred word past the end written", n)
				}
				wide := make([]float32, n+3)
				for i := range wide {
					wide[i] = 42
				}
				from(wide[:n], bits[:n])
				for i, h := range bits[:n] {
					if got := math.Float32bits(wide[i]); got != uint32(h)<<16 {
						t.Fatalf("n=%d: fromBF16(%#04x) = %#08x", n, h, got)
					}
					if BF16Bits(wide[i]) != h {
						t.Fatalf("n=%d: %#04x widened rounds to %#04x, not itself", n, h, BF16Bits(wide[i]))
					}
				}
				for i := n; i < len(wide); i++ {
					if wide[i] != 42 {
						t.Fatalf("n=%d: value %d past the end written", n, i)
					}
				}
			}
		})
	}
}

// TestBF16ConvertLengths checks that the public functions refuse a short destination.
func TestBF16ConvertLengths(t *testing.T) {
	for name, f := range map[string]func(){
		"ToBF16":        func() { ToBF16(make([]uint16, 3), make([]float32, 4)) },
		"FromBF16":      func() { FromBF16(make([]float32, 3), make([]uint16, 4)) },
		"ToBF16Centred": func() { ToBF16Centred(make([]uint16, 3), make([]float32, 4), 1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s with a short destination did not panic", name)
				}
			}()
			f()
		}()
	}
}
