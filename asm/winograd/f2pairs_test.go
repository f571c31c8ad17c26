package winograd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/gemm"
	"github.com/fastgo/fastgo/asm/internal/kerneltest"
)

// pairsPlane returns n float32s for a transform's input plane: ordinary values and,
// one in eight, the cases bf16 rounding treats specially (zeros, denormals, infinities,
// NaN, exact ties of bf16's last place, the largest finite values).
func pairsPlane(rng *rand.Rand, n int) []float32 {
	special := []float32{0, float32(math.Copysign(0, -1)), 1e-40, -3e-39, float32(math.Inf(1)),
		float32(math.Inf(-1)), float32(math.NaN()), math.MaxFloat32 / 4, -math.MaxFloat32 / 4,
		math.Float32frombits(0x3F808000), math.Float32frombits(0x3F818000)}
	x := make([]float32, n)
	for i := range x {
		if rng.IntN(8) == 0 {
			x[i] = special[rng.IntN(len(special))]
		} else {
			x[i] = float32(rng.NormFloat64() * math.Exp(rng.NormFloat64()*3))
		}
	}
	return x
}

// TestInputF2Pairs checks InputF2Pairs on every path against InputF2's Go twin on each
// channel rounded by gemm.BF16Bits and paired (first channel low), bit for bit, on tile
// counts around the 16-tile block, one to three tile rows and strides wider than
// needed; the words past the tiles of each ξ row keep their sentinel.
func TestInputF2Pairs(t *testing.T) {
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(17, uint64(isa)))
		for _, tiles := range []int{1, 2, 7, 15, 16, 17, 28, 31, 32, 33, 48} {
			for tileRows := 1; tileRows <= 3; tileRows++ {
				rowStride := 2*tiles + 2 + rng.IntN(3)
				n := tileRows * tiles
				dstStride := n + rng.IntN(4)
				src0 := pairsPlane(rng, (2*tileRows+2)*rowStride)
				src1 := pairsPlane(rng, (2*tileRows+2)*rowStride)
				v0 := make([]float32, 16*dstStride)
				v1 := make([]float32, 16*dstStride)
				winoInputF2Generic(v0, dstStride, src0, rowStride, tiles, tileRows)
				winoInputF2Generic(v1, dstStride, src1, rowStride, tiles, tileRows)
				const sentinel = 0xDEADBEEF
				dst := make([]uint32, 16*dstStride)
				for i := range dst {
					dst[i] = sentinel
				}
				InputF2Pairs(dst, dstStride, src0, src1, rowStride, tiles, tileRows)
				for xi := 0; xi < 16; xi++ {
					for tile := 0; tile < dstStride; tile++ {
						i := xi*dstStride + tile
						want := uint32(sentinel)
						if tile < n {
							want = uint32(gemm.BF16Bits(v0[i])) | uint32(gemm.BF16Bits(v1[i]))<<16
						}
						if dst[i] != want {
							t.Fatalf("%v, %d×%d tiles (rowStride %d, dstStride %d): ξ %d tile %d = %#08x, want %#08x (channel values %g, %g)",
								isa, tileRows, tiles, rowStride, dstStride, xi, tile, dst[i], want, v0[i], v1[i])
						}
					}
				}
			}
		}
	})
}

// TestBF16BitsAsGemm checks the package's rounding against gemm.BF16Bits, the GEMMs'.
func TestBF16BitsAsGemm(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	for _, x := range append(pairsPlane(rng, 20000), math.Float32frombits(0x7F800001), math.Float32frombits(0xFFC00001),
		math.Float32frombits(0x7F7FFFFF), math.Float32frombits(0x00800000), math.Float32frombits(0x807FFFFF)) {
		if got, want := bf16Bits(x), gemm.BF16Bits(x); got != want {
			t.Fatalf("bf16Bits(%#08x) = %#04x, gemm.BF16Bits %#04x", math.Float32bits(x), got, want)
		}
	}
}

// TestInputF2PairsChecks checks that short slices and strides panic with the sizes named.
func TestInputF2PairsChecks(t *testing.T) {
	for name, f := range map[string]func(){
		"src": func() { InputF2Pairs(make([]uint32, 64), 4, make([]float32, 10), make([]float32, 40), 10, 4, 1) },
		"dst": func() { InputF2Pairs(make([]uint32, 60), 4, make([]float32, 40), make([]float32, 40), 10, 4, 1) },
		"row": func() { InputF2Pairs(make([]uint32, 64), 4, make([]float32, 40), make([]float32, 40), 9, 4, 1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
