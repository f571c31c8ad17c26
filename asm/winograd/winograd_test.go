package winograd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/internal/kerneltest"
)

// The transform matrices of F(4×4, 3×3) in float64, from winograd.go's doc.
var (
	winoBT = [6][6]float64{
		{4, 0, -5, 0, 1, 0},
		{0, -4, -4, 1, 1, 0},
		{0, 4, -4, -1, 1, 0},
		{0, -2, -1, 2, 1, 0},
		{0, 2, -1, -2, 1, 0},
		{0, 4, 0, -5, 0, 1},
	}
	winoAT = [4][6]float64{
		{1, 1, 1, 1, 1, 0},
		{0, 1, -1, 2, -2, 0},
		{0, 1, 1, 4, 4, 0},
		{0, 1, -1, 8, -8, 1},
	}
	winoG = [6][3]float64{
		{1.0 / 4, 0, 0},
		{-1.0 / 6, -1.0 / 6, -1.0 / 6},
		{-1.0 / 6, 1.0 / 6, -1.0 / 6},
		{1.0 / 24, 1.0 / 12, 1.0 / 6},
		{1.0 / 24, -1.0 / 12, 1.0 / 6},
		{0, 0, 1},
	}
)

// The three transforms together are a 3×3 correlation: for random 6×6 d and 3×3 g,
// Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A (filter by F4Filter, input and output by the
// generic kernels) equals Σ g[i][j]·d[y+i][x+j] to float32 rounding.
func TestWinogradF4IsCorrelation(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 50; trial++ {
		var d [6][6]float32
		var g [9]float32
		// A 6×6 tile as a phase plane with one tile: row i, phase r, index 0 or 1.
		src := make([]float32, 6*8)
		for i := range d {
			for j := range d[i] {
				d[i][j] = rng.Float32()*2 - 1
				src[i*8+(j%4)*2+j/4] = d[i][j]
			}
		}
		for i := range g {
			g[i] = rng.Float32()*2 - 1
		}
		v := make([]float32, 36)
		winoInputF4Generic(v, 1, src, 8, 2, 1)
		m := make([]float32, 36)
		for xi := 0; xi < 36; xi++ {
			var u float32
			for k := 0; k < 9; k++ {
				u += F4Filter[xi*9+k] * g[k]
			}
			m[xi] = u * v[xi]
		}
		out := make([]float32, 16)
		winoOutputF4Generic(out, 4, 4, 4, m, 1, 1, 0, false)
		for y := 0; y < 4; y++ {
			for x := 0; x < 4; x++ {
				var want, mag float64
				for i := 0; i < 3; i++ {
					for j := 0; j < 3; j++ {
						want += float64(g[i*3+j]) * float64(d[y+i][x+j])
						mag += math.Abs(float64(g[i*3+j]) * float64(d[y+i][x+j]))
					}
				}
				// Bound: see tensor/functional's winoTol (2e-5·Σ|g||d|).
				if diff := math.Abs(float64(out[y*4+x]) - want); diff > 2e-5*mag {
					t.Fatalf("trial %d output (%d,%d) = %v, want %v (|diff| %.3g, Σ|g||d| %.3g)",
						trial, y, x, out[y*4+x], want, diff, mag)
				}
			}
		}
	}
}

// winoInRef is Bᵀ d B of tile t in float64 (and of |d| with |Bᵀ|, the magnitude that
// bounds its rounding error), from a phase plane as InputF4 reads it.
func winoInRef(src []float32, rs, ps, t int) (v, mag [36]float64) {
	var d [6][6]float64
	for i := 0; i < 6; i++ {
		for j := 0; j < 6; j++ {
			d[i][j] = float64(src[i*rs+(j%4)*ps+j/4+t])
		}
	}
	for a := 0; a < 6; a++ {
		for b := 0; b < 6; b++ {
			for i := 0; i < 6; i++ {
				for j := 0; j < 6; j++ {
					c := winoBT[a][i] * winoBT[b][j]
					v[a*6+b] += c * d[i][j]
					mag[a*6+b] += math.Abs(c * d[i][j])
				}
			}
		}
	}
	return
}

// InputF4 on every path equals Bᵀ d B (float64) within 1e-6 of the magnitude
// |Bᵀ||d||B| (a few float32 ulps: every path rounds the same 1-D sums, the SIMD ones
// with fused multiply-adds), for every tile count 1..40 (all lane tails, one to three
// blocks) and odd strides, and writes nothing outside its tiles.
func TestWinogradInputF4(t *testing.T) {
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(3, uint64(isa)))
		for tiles := 1; tiles <= 40; tiles++ {
			ps := tiles + 1 + rng.IntN(3)
			rs := 4*ps + rng.IntN(5)
			src := make([]float32, 5*rs+4*ps+tiles+8)
			for i := range src {
				src[i] = rng.Float32()*4 - 2
			}
			dstStride := tiles + rng.IntN(7)
			dst := make([]float32, 36*dstStride+16)
			const sentinel = 12345
			for i := range dst {
				dst[i] = sentinel
			}
			InputF4(dst, dstStride, src[:5*rs+max(3*ps+tiles, ps+tiles+1)], rs, ps, tiles)
			for tt := 0; tt < tiles; tt++ {
				v, mag := winoInRef(src, rs, ps, tt)
				for xi := 0; xi < 36; xi++ {
					got := float64(dst[xi*dstStride+tt])
					if d := math.Abs(got - v[xi]); d > 1e-6*mag[xi] {
						t.Fatalf("tiles %d: tile %d element %d = %v, want %v (|diff| %.3g)", tiles, tt, xi, got, v[xi], d)
					}
				}
			}
			for xi := 0; xi < 36; xi++ {
				for c := tiles; c < dstStride && xi*dstStride+c < len(dst); c++ {
					if dst[xi*dstStride+c] != sentinel {
						t.Fatalf("tiles %d: wrote dst[%d·%d + %d] past the tiles", tiles, xi, dstStride, c)
					}
				}
			}
			for _, v := range dst[35*dstStride+tiles:] {
				if v != sentinel {
					t.Fatalf("tiles %d: wrote past the last row", tiles)
				}
			}
		}
	})
}

// outputF4Ref is output (r, j) of tile tt of Aᵀ m A in float64 and the sum of its terms'
// magnitudes (|Aᵀ||m||A|), for the error bounds.
func outputF4Ref(src []float32, srcStride, tt, r, j int) (want, mag float64) {
	for a := 0; a < 6; a++ {
		for b := 0; b < 6; b++ {
			k := winoAT[r][a] * winoAT[j][b] * float64(src[(a*6+b)*srcStride+tt])
			want += k
			mag += math.Abs(k)
		}
	}
	return want, mag
}

// OutputF4 on every path equals bias + Aᵀ m A (float64, plus the old value when
// accumulating) within 1e-6 of |Aᵀ||m||A| + |bias| (+ |old|), for tile counts 1..40,
// every row count 1..4, every admissible column count (the last tile cut at 1..4
// columns), and writes nothing else of the image.
func TestWinogradOutputF4(t *testing.T) {
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(4, uint64(isa)))
		for tiles := 1; tiles <= 40; tiles++ {
			srcStride := tiles + rng.IntN(5)
			src := make([]float32, 36*srcStride)
			for i := range src {
				src[i] = rng.Float32()*4 - 2
			}
			for rows := 1; rows <= 4; rows++ {
				cols := 4*tiles - rng.IntN(4)
				ldy := cols + rng.IntN(9)
				acc := rng.IntN(2) == 1
				bias := rng.Float32() - 0.5
				dst := make([]float32, 5*ldy)
				old := make([]float32, len(dst))
				for i := range dst {
					dst[i] = rng.Float32()
					old[i] = dst[i]
				}
				OutputF4(dst[:(rows-1)*ldy+cols], ldy, rows, cols, src, srcStride, tiles, bias, acc)
				for r := 0; r < 5; r++ {
					for c := 0; c < ldy; c++ {
						got, i := dst[r*ldy+c], r*ldy+c
						if r >= rows || c >= cols {
							if got != old[i] {
								t.Fatalf("tiles %d rows %d cols %d: wrote (%d,%d) outside the output", tiles, rows, cols, r, c)
							}
							continue
						}
						tt, j := c/4, c%4
						want, mag := float64(bias), math.Abs(float64(bias))
						if acc {
							want += float64(old[i])
							mag += math.Abs(float64(old[i]))
						}
						w, m := outputF4Ref(src, srcStride, tt, r, j)
						want, mag = want+w, mag+m
						if d := math.Abs(float64(got) - want); d > 1e-6*mag {
							t.Fatalf("tiles %d rows %d cols %d acc %v: (%d,%d) = %v, want %v (|diff| %.3g)",
								tiles, rows, cols, acc, r, c, got, want, d)
						}
					}
				}
			}
		}
	})
}

// F4Filter is G⊗G.
func TestWinogradF4Filter(t *testing.T) {
	for a := 0; a < 6; a++ {
		for b := 0; b < 6; b++ {
			for i := 0; i < 3; i++ {
				for j := 0; j < 3; j++ {
					want := float32(winoG[a][i] * winoG[b][j])
					if got := F4Filter[(a*6+b)*9+i*3+j]; got != want {
						t.Fatalf("kron[%d][%d] = %v, want %v", a*6+b, i*3+j, got, want)
					}
				}
			}
		}
	}
}

// OutputF4ReLU on every path equals relu(bias + Aᵀ m A + res) (float64) within 1e-6
// of |Aᵀ||m||A| + |bias| + |res|, keeps a NaN of the residual, with and without a
// residual, for tile counts 1..40, row counts 1..4 and every last-tile width, and
// writes nothing else of the image.
func TestWinogradOutputF4ReLU(t *testing.T) {
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(14, uint64(isa)))
		for tiles := 1; tiles <= 40; tiles++ {
			srcStride := tiles + rng.IntN(5)
			src := make([]float32, 36*srcStride)
			for i := range src {
				src[i] = rng.Float32()*4 - 2
			}
			for rows := 1; rows <= 4; rows++ {
				cols := 4*tiles - rng.IntN(4)
				ldy := cols + rng.IntN(9)
				bias := rng.Float32() - 0.5
				dst := make([]float32, 5*ldy)
				old := make([]float32, len(dst))
				for i := range dst {
					dst[i] = rng.Float32()
					old[i] = dst[i]
				}
				var res []float32
				if rng.IntN(3) > 0 {
					res = make([]float32, (rows-1)*ldy+cols)
					for i := range res {
						res[i] = rng.Float32()*8 - 4
					}
					res[rng.IntN(len(res))] = float32(math.NaN())
				}
				OutputF4ReLU(dst[:(rows-1)*ldy+cols], ldy, rows, cols, src, srcStride, tiles, bias, res)
				for r := 0; r < 5; r++ {
					for c := 0; c < ldy; c++ {
						got, i := dst[r*ldy+c], r*ldy+c
						if r >= rows || c >= cols {
							if got != old[i] {
								t.Fatalf("tiles %d rows %d cols %d: wrote (%d,%d) outside the output", tiles, rows, cols, r, c)
							}
							continue
						}
						tt, j := c/4, c%4
						want, mag := float64(bias), math.Abs(float64(bias))
						if res != nil {
							want += float64(res[i])
							mag += math.Abs(float64(res[i]))
						}
						w, m := outputF4Ref(src, srcStride, tt, r, j)
						want, mag = want+w, mag+m
						if math.IsNaN(want) {
							if !math.IsNaN(float64(got)) {
								t.Fatalf("tiles %d rows %d cols %d: (%d,%d) = %v, want NaN", tiles, rows, cols, r, c, got)
							}
							continue
						}
						want = math.Max(want, 0)
						if d := math.Abs(float64(got) - want); d > 1e-6*mag || got < 0 {
							t.Fatalf("tiles %d rows %d cols %d res %v: (%d,%d) = %v, want %v (|diff| %.3g)",
								tiles, rows, cols, res != nil, r, c, got, want, d)
						}
					}
				}
			}
		}
	})
}
