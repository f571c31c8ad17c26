package winograd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/gemm"
	"github.com/fastgo/fastgo/asm/internal/kerneltest"
)

// bf16Plane returns n bf16 bit patterns for a transform's input plane: pairsPlane's
// values (ordinary ones and, one in eight, zeros, denormals, infinities, NaN, large
// values) rounded by gemm.BF16Bits, and their float32 widening.
func bf16Plane(rng *rand.Rand, n int) ([]uint16, []float32) {
	bits := make([]uint16, n)
	wide := make([]float32, n)
	for i, x := range pairsPlane(rng, n) {
		bits[i] = gemm.BF16Bits(x)
		wide[i] = math.Float32frombits(uint32(bits[i]) << 16)
	}
	return bits, wide
}

// TestInputF2BF16 checks InputF2BF16 on every path against InputF2's Go twin on the
// widened plane and against InputF2 on the same path, bit for bit (zeros by their sign, NaNs as NaNs), for
// every tile count 1..50 (all lane tails, one to four blocks), one to three tile
// rows and strides wider than needed, with the source slice ending at the last row's
// 2·tiles+2 columns; the words past the tiles of each ξ row keep their sentinel.
func TestInputF2BF16(t *testing.T) {
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(23, uint64(isa)))
		for tiles := 1; tiles <= 50; tiles++ {
			for tileRows := 1; tileRows <= 3; tileRows++ {
				rs := 2*tiles + 2 + rng.IntN(5)
				bits, wide := bf16Plane(rng, (2*tileRows+1)*rs+2*tiles+2)
				n := tileRows * tiles
				dstStride := n + rng.IntN(7)
				const sentinel = 12345
				dst := make([]float32, 16*dstStride)
				for i := range dst {
					dst[i] = sentinel
				}
				twin := append([]float32(nil), dst...)
				same := append([]float32(nil), dst...)
				InputF2BF16(dst, dstStride, bits, rs, tiles, tileRows)
				winoInputF2Generic(twin, dstStride, wide, rs, tiles, tileRows)
				InputF2(same, dstStride, wide, rs, tiles, tileRows)
				for i := range dst {
					if !sameBits(dst[i], twin[i]) || !sameBits(dst[i], same[i]) {
						t.Fatalf("%v, %d×%d tiles (rowStride %d, dstStride %d): dst[%d] = %v (%#08x), the Go twin on the widened plane gives %v, InputF2 %v",
							isa, tileRows, tiles, rs, dstStride, i, dst[i], math.Float32bits(dst[i]), twin[i], same[i])
					}
				}
				for xi := 0; xi < 16; xi++ {
					for c := n; c < dstStride; c++ {
						if dst[xi*dstStride+c] != sentinel {
							t.Fatalf("%v, %d×%d tiles: wrote dst[%d·%d + %d] past the tiles", isa, tileRows, tiles, xi, dstStride, c)
						}
					}
				}
			}
		}
	})
}

// sameBits is bitwise equality (zeros by their sign), except that any two NaNs match.
func sameBits(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || a != a && b != b
}

// TestInputF2BF16Checks checks that short slices and strides panic with the sizes named.
func TestInputF2BF16Checks(t *testing.T) {
	for name, f := range map[string]func(){
		"src": func() { InputF2BF16(make([]float32, 64), 4, make([]uint16, 10), 10, 4, 1) },
		"dst": func() { InputF2BF16(make([]float32, 60), 4, make([]uint16, 40), 10, 4, 1) },
		"row": func() { InputF2BF16(make([]float32, 64), 4, make([]uint16, 40), 9, 4, 1) },
		"str": func() { InputF2BF16(make([]float32, 64), 3, make([]uint16, 40), 10, 4, 1) },
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

// BenchmarkInputF2BF16 compares the bf16-plane transform with the float32 one on
// layer1's chunk (4 tile rows of 28 tiles), per channel.
func BenchmarkInputF2BF16(b *testing.B) {
	const tiles, tileRows = 28, 4
	rs := 2*tiles + 2
	rng := rand.New(rand.NewPCG(1, 2))
	bits, wide := bf16Plane(rng, (2*tileRows+2)*rs)
	dst := make([]float32, 16*tiles*tileRows)
	b.Run("bf16", func(b *testing.B) {
		for range b.N {
			InputF2BF16(dst, tiles*tileRows, bits, rs, tiles, tileRows)
		}
	})
	b.Run("f32", func(b *testing.B) {
		for range b.N {
			InputF2(dst, tiles*tileRows, wide, rs, tiles, tileRows)
		}
	})
}

// TestInputF2BF16Rows checks InputF2BF16Rows on every path, with each combination of
// padLeft and padRight, against InputF2 on the same path and against the Go twin, on
// the widened plane with those columns zeroed, bit for bit (zeros by their sign, NaNs
// as NaNs): tile counts 1..50 (the padding columns in the first and the last block),
// one to three tile rows, strides from the least (2·tiles, an image row's) up,
// sources ending at the last column read; words past the tiles keep their sentinel.
func TestInputF2BF16Rows(t *testing.T) {
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(47, uint64(isa)))
		for tiles := 1; tiles <= 50; tiles++ {
			for tileRows := 1; tileRows <= 3; tileRows++ {
				for pads := 0; pads < 4; pads++ {
					padLeft, padRight := pads&1 != 0, pads&2 != 0
					rowStride := 2*tiles + rng.IntN(3)
					n := (2*tileRows+1)*rowStride + 2*tiles + 2
					if padRight {
						n--
					}
					bits, wide := bf16Plane(rng, n)
					rs := 2*tiles + 2
					plane := make([]float32, (2*tileRows+2)*rs) // widened and padded
					for i := 0; i < 2*tileRows+2; i++ {
						for c := 0; c < rs; c++ {
							if !(c == 0 && padLeft || c == rs-1 && padRight) {
								plane[i*rs+c] = wide[i*rowStride+c]
							}
						}
					}
					dstStride := tileRows*tiles + rng.IntN(4)
					const sentinel = 12345
					dst := make([]float32, 16*dstStride)
					for i := range dst {
						dst[i] = sentinel
					}
					same := append([]float32(nil), dst...)
					twin := append([]float32(nil), dst...)
					InputF2BF16Rows(dst, dstStride, bits, rowStride, tiles, tileRows, padLeft, padRight)
					InputF2(same, dstStride, plane, rs, tiles, tileRows)
					winoInputF2Generic(twin, dstStride, plane, rs, tiles, tileRows)
					for i := range dst {
						if !sameBits(dst[i], same[i]) || !sameBits(dst[i], twin[i]) {
							t.Fatalf("%v, %d×%d tiles (rowStride %d, pads %v %v): dst[%d] = %v, InputF2 on the padded plane %v, the Go twin %v",
								isa, tileRows, tiles, rowStride, padLeft, padRight, i, dst[i], same[i], twin[i])
						}
					}
				}
			}
		}
	})
}
