package functional

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/gemm"
)

// bf16StoreValues returns n float32s mixing ordinary values with the cases the rounding
// treats specially (ties, denormals, infinities, NaN, the largest finite value).
func bf16StoreValues(rng *rand.Rand, n int) []float32 {
	special := []float32{0, float32(math.Copysign(0, -1)), 1e-40, -1e-40, float32(math.Inf(1)),
		float32(math.Inf(-1)), float32(math.NaN()), math.MaxFloat32, -math.MaxFloat32,
		math.Float32frombits(0x3F808000), math.Float32frombits(0x3F818000)}
	x := make([]float32, n)
	for i := range x {
		if rng.IntN(8) == 0 {
			x[i] = special[rng.IntN(len(special))]
		} else {
			x[i] = float32(rng.NormFloat64() * math.Exp(rng.NormFloat64()*4))
		}
	}
	return x
}

// TestStoreWidenBF16Threads checks StoreBF16, WidenBF16 and StoreCentredBF16 on 1–3
// goroutines against the serial gemm conversions, bit for bit (they are element-wise),
// on lengths around the split alignment and a large odd one, and that nothing beyond
// the source's length is written.
func TestStoreWidenBF16Threads(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 1))
	for _, threads := range []int{1, 2, 3} {
		restore := withThreads(threads)
		for _, n := range []int{0, 1, 7, convertAlign - 1, convertAlign, convertAlign + 1, 3*convertAlign + 5, 100003} {
			x := bf16StoreValues(rng, n)
			want := make([]uint16, n+1)
			gemm.ToBF16(want, x)
			got := make([]uint16, n+1)
			got[n] = 0xBEEF
			StoreBF16(got, x)
			for i := range n {
				if got[i] != want[i] {
					t.Fatalf("threads %d, n %d: StoreBF16[%d] = %#04x, gemm.ToBF16 %#04x (x %g)", threads, n, i, got[i], want[i], x[i])
				}
			}
			if got[n] != 0xBEEF {
				t.Fatalf("threads %d, n %d: StoreBF16 wrote past the source's length", threads, n)
			}
			wide := make([]float32, n+1)
			wide[n] = 42
			wantWide := make([]float32, n)
			gemm.FromBF16(wantWide, want[:n])
			WidenBF16(wide, want[:n])
			for i := range n {
				if math.Float32bits(wide[i]) != math.Float32bits(wantWide[i]) {
					t.Fatalf("threads %d, n %d: WidenBF16[%d] = %#08x, gemm.FromBF16 %#08x", threads, n, i,
						math.Float32bits(wide[i]), math.Float32bits(wantWide[i]))
				}
			}
			if wide[n] != 42 {
				t.Fatalf("threads %d, n %d: WidenBF16 wrote past the source's length", threads, n)
			}
		}
		for _, shape := range [][2]int{{1, 1}, {3, 37}, {5, 1000}, {64, 3136}} {
			c, m := shape[0], shape[1]
			x := bf16StoreValues(rng, c*m)
			centre := bf16StoreValues(rng, c)
			want := make([]uint16, c*m)
			for ci := range c {
				gemm.ToBF16Centred(want[ci*m:(ci+1)*m], x[ci*m:(ci+1)*m], centre[ci])
			}
			got := make([]uint16, c*m)
			StoreCentredBF16(got, x, centre)
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("threads %d, %d channels of %d: StoreCentredBF16[%d] = %#04x, serial %#04x", threads, c, m, i, got[i], want[i])
				}
			}
		}
		restore()
	}
	for name, f := range map[string]func(){
		"store": func() { StoreBF16(make([]uint16, 2), make([]float32, 3)) },
		"widen": func() { WidenBF16(make([]float32, 2), make([]uint16, 3)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: a short dst did not panic", name)
				}
			}()
			f()
		}()
	}
}
