package winograd

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/bn"
	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/internal/kerneltest"
)

// OutputF2ReLU on every path gives, bit for bit (±0 told apart), both its Go twin and
// what it replaces: OutputF2 (bias 0, writing) followed by bn.ApplyAddReLU (with a
// residual) or bn.ApplyReLU with scale 1 and the bias on each output row, on the same
// path. Tile counts 1..50 (every lane tail, one to four blocks of 16 tiles), row
// counts 1 to 5 (the last tile row of one row when odd), both admissible column
// counts, with and without a residual, biases of ±0 and random ones, prefetch
// distances 0, within the buffers and far past them (a hint), and inputs with
// ±0, ±Inf and NaN in places (and a tile of −0s). The output sits between guard bands of sentinels and
// its rows are ldy > cols apart: nothing outside the rows × cols outputs may change,
// and the residual (its own guarded buffer) must stay as it was. Where no special
// value takes part it also equals relu(bias + Aᵀ m A + res) in float64 within 2⁻²¹
// of |Aᵀ||m||A| + |bias| + |res| (at most seven float32 additions).
func TestWinogradOutputF2ReLU(t *testing.T) {
	negZero := float32(math.Copysign(0, -1))
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(9, uint64(isa)))
		for tiles := 1; tiles <= 50; tiles++ {
			for rows := 1; rows <= 5; rows++ {
				tileRows := (rows + 1) / 2
				srcStride := tileRows*tiles + rng.IntN(5)
				special := rng.IntN(3) == 0
				_, src := kerneltest.Guarded(rng, 16*srcStride, 0, special)
				if special {
					// A tile of −0s transforms to −0, the case the bias's −0 → +0 is for.
					tt := rng.IntN(tileRows * tiles)
					for xi := 0; xi < 16; xi++ {
						src[xi*srcStride+tt] = negZero
					}
					if rng.IntN(2) == 0 {
						src[rng.IntN(len(src))] = float32(math.NaN())
					}
				}
				for _, cols := range []int{2 * tiles, 2*tiles - 1} {
					for _, withRes := range []bool{false, true} {
						ldy := cols + 1 + rng.IntN(7)
						n := (rows-1)*ldy + cols
						bias := []float32{0, negZero, rng.Float32() - 0.5}[rng.IntN(3)]
						off := rng.IntN(16)
						buf, dst := kerneltest.Guarded(rng, n, off, false)
						var resBuf, res []float32
						if withRes {
							resBuf, res = kerneltest.Guarded(rng, n, rng.IntN(16), special)
						}
						resOld := append([]float32(nil), resBuf...)
						// The padding between rows is a sentinel too.
						for i := range dst {
							if i%ldy >= cols {
								dst[i] = kerneltest.Sentinel
							}
						}
						twinBuf := append([]float32(nil), buf...)
						refBuf := append([]float32(nil), buf...)
						twin, ref := twinBuf[off:off+n], refBuf[off:off+n]

						next := []int{0, n, 1 << 20}[rng.IntN(3)] // a hint: no change
						OutputF2ReLU(dst, ldy, rows, cols, src, srcStride, tiles, bias, res, next)
						winoOutputF2ReLUGeneric(twin, ldy, rows, cols, src, srcStride, tiles, bias+0, res, 0) // +0: the wrapper's −0 → +0
						OutputF2(ref, ldy, rows, cols, src, srcStride, tiles, 0, false, 0)
						for r := 0; r < rows; r++ {
							row := ref[r*ldy : r*ldy+cols]
							if res != nil {
								bn.ApplyAddReLU(row, row, res[r*ldy:r*ldy+cols], 1, bias)
							} else {
								bn.ApplyReLU(row, row, 1, bias)
							}
						}
						what := func() string { return fmt.Sprintf("tiles %d rows %d cols %d", tiles, rows, cols) }
						if err := kerneltest.CheckFrame(buf, off, n); err != nil {
							t.Fatalf("%s: %v", what(), err)
						}
						for i := range resBuf {
							if math.Float32bits(resBuf[i]) != math.Float32bits(resOld[i]) {
								t.Fatalf("%s: changed the residual at %d", what(), i)
							}
						}
						for i, got := range dst {
							r, c := i/ldy, i%ldy
							if c >= cols {
								if math.Float32bits(got) != math.Float32bits(kerneltest.Sentinel) {
									t.Fatalf("%s: wrote (%d,%d) between the rows", what(), r, c)
								}
								continue
							}
							if !sameBits(got, twin[i]) {
								t.Fatalf("%s res %v bias %v: (%d,%d) = %v, the Go twin gives %v", what(), withRes, bias, r, c, got, twin[i])
							}
							if !sameBits(got, ref[i]) {
								t.Fatalf("%s res %v bias %v: (%d,%d) = %v (bits %#x), OutputF2 then asm/bn gives %v (bits %#x)",
									what(), withRes, bias, r, c, got, math.Float32bits(got), ref[i], math.Float32bits(ref[i]))
							}
							if special {
								continue
							}
							tt, j := c/2, c%2
							want, mag := float64(bias), math.Abs(float64(bias))
							if res != nil {
								want += float64(res[i])
								mag += math.Abs(float64(res[i]))
							}
							for a := 0; a < 4; a++ {
								for b := 0; b < 4; b++ {
									k := f2AT[r%2][a] * f2AT[j][b] * float64(src[(a*4+b)*srcStride+r/2*tiles+tt])
									want += k
									mag += math.Abs(k)
								}
							}
							want = max(want, 0)
							if d := math.Abs(float64(got) - want); d > mag/(1<<21) {
								t.Fatalf("%s: (%d,%d) = %v, want %v (|diff| %.3g)", what(), r, c, got, want, d)
							}
						}
					}
				}
			}
		}
	})
}

// OutputF2ReLU panics on a residual shorter than the output and on a negative
// prefetch distance.
func TestWinogradOutputF2ReLUChecks(t *testing.T) {
	src := make([]float32, 16*4)
	for name, call := range map[string]func(){
		"short residual": func() { OutputF2ReLU(make([]float32, 8), 4, 2, 4, src, 4, 2, 0, make([]float32, 7), 0) },
		"negative next":  func() { OutputF2ReLU(make([]float32, 8), 4, 2, 4, src, 4, 2, 0, nil, -1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			call()
		}()
	}
}
