package winograd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/internal/kerneltest"
)

// The transform matrices of F(2×2, 3×3) in float64, from f2.go's doc.
var (
	f2BT = [4][4]float64{{1, 0, -1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, 1, 0, -1}}
	f2AT = [2][4]float64{{1, 1, 1, 0}, {0, 1, -1, -1}}
	f2G  = [4][3]float64{{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}}
)

// The three F(2×2) transforms together are a 3×3 correlation: for random 4×4 d and 3×3
// g, Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A (filter by F2Filter, input and output by the Go twins)
// equals Σ g[i][j]·d[y+i][x+j] within 1e-6·Σ|g||d|: each output is a float32 sum
// of 9 products of sums of at most 4 (input) and 9 (filter) terms with coefficients
// 0, ±1/4, ±1/2, ±1, then of at most 9 of those (output), a few tens of ulps of
// values at most 4× Σ|g||d|.
func TestWinogradF2IsCorrelation(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 2))
	for trial := 0; trial < 50; trial++ {
		var d [4][4]float32
		var g [9]float32
		src := make([]float32, 4*4)
		for i := range d {
			for j := range d[i] {
				d[i][j] = rng.Float32()*2 - 1
				src[i*4+j] = d[i][j]
			}
		}
		for i := range g {
			g[i] = rng.Float32()*2 - 1
		}
		v := make([]float32, 16)
		winoInputF2Generic(v, 1, src, 4, 1, 1)
		m := make([]float32, 16)
		for xi := 0; xi < 16; xi++ {
			var u float32
			for k := 0; k < 9; k++ {
				u += F2Filter[xi*9+k] * g[k]
			}
			m[xi] = u * v[xi]
		}
		out := make([]float32, 4)
		winoOutputF2Generic(out, 2, 2, 2, m, 1, 1, 0, false, 0)
		for y := 0; y < 2; y++ {
			for x := 0; x < 2; x++ {
				var want, mag float64
				for i := 0; i < 3; i++ {
					for j := 0; j < 3; j++ {
						want += float64(g[i*3+j]) * float64(d[y+i][x+j])
						mag += math.Abs(float64(g[i*3+j]) * float64(d[y+i][x+j]))
					}
				}
				if diff := math.Abs(float64(out[y*2+x]) - want); diff > 1e-6*mag {
					t.Fatalf("trial %d output (%d,%d) = %v, want %v (|diff| %.3g, Σ|g||d| %.3g)",
						trial, y, x, out[y*2+x], want, diff, mag)
				}
			}
		}
	}
}

// F2Filter is G⊗G.
func TestWinogradF2Filter(t *testing.T) {
	for a := 0; a < 4; a++ {
		for b := 0; b < 4; b++ {
			for i := 0; i < 3; i++ {
				for j := 0; j < 3; j++ {
					if got, want := F2Filter[(a*4+b)*9+i*3+j], float32(f2G[a][i]*f2G[b][j]); got != want {
						t.Fatalf("kron[%d][%d] = %v, want %v", a*4+b, i*3+j, got, want)
					}
				}
			}
		}
	}
}

// InputF2 on every path equals the Go twin bit for bit (the same additions in the
// same order) and Bᵀ d B in float64 within 2⁻²³ of |Bᵀ||d||B| (two float32
// additions), for every tile count 1..50 (all lane tails, one to four blocks), one to
// three tile rows and odd strides, reading only its rows (the source slice ends at
// the last one's 2·tiles+2 columns) and writing nothing outside its tiles.
func TestWinogradInputF2(t *testing.T) {
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(5, uint64(isa)))
		for tiles := 1; tiles <= 50; tiles++ {
			for tileRows := 1; tileRows <= 3; tileRows++ {
				rs := 2*tiles + 2 + rng.IntN(5)
				src := make([]float32, (2*tileRows+1)*rs+2*tiles+2)
				for i := range src {
					src[i] = rng.Float32()*4 - 2
				}
				n := tileRows * tiles
				dstStride := n + rng.IntN(7)
				dst := make([]float32, 16*dstStride+16)
				const sentinel = 12345
				for i := range dst {
					dst[i] = sentinel
				}
				twin := append([]float32(nil), dst...)
				InputF2(dst, dstStride, src, rs, tiles, tileRows)
				winoInputF2Generic(twin, dstStride, src, rs, tiles, tileRows)
				for i := range dst {
					if !kerneltest.SameFloat(dst[i], twin[i]) {
						t.Fatalf("%d×%d tiles: dst[%d] = %v, the Go twin gives %v", tileRows, tiles, i, dst[i], twin[i])
					}
				}
				for r := 0; r < tileRows; r++ {
					for tt := 0; tt < tiles; tt++ {
						for a := 0; a < 4; a++ {
							for b := 0; b < 4; b++ {
								var want, mag float64
								for i := 0; i < 4; i++ {
									for j := 0; j < 4; j++ {
										c := f2BT[a][i] * f2BT[b][j] * float64(src[(2*r+i)*rs+2*tt+j])
										want += c
										mag += math.Abs(c)
									}
								}
								got := float64(dst[(4*a+b)*dstStride+r*tiles+tt])
								if d := math.Abs(got - want); d > mag/(1<<23) {
									t.Fatalf("%d×%d tiles: tile (%d, %d) element %d = %v, want %v", tileRows, tiles, r, tt, 4*a+b, got, want)
								}
							}
						}
					}
				}
				for xi := 0; xi < 16; xi++ {
					for c := n; c < dstStride; c++ {
						if dst[xi*dstStride+c] != sentinel {
							t.Fatalf("%d×%d tiles: wrote dst[%d·%d + %d] past the tiles", tileRows, tiles, xi, dstStride, c)
						}
					}
				}
				for _, v := range dst[15*dstStride+n:] {
					if v != sentinel {
						t.Fatalf("%d×%d tiles: wrote past the last row", tileRows, tiles)
					}
				}
			}
		}
	})
}

// OutputF2 on every path equals the Go twin bit for bit and bias + Aᵀ m A (float64,
// plus the old value when accumulating) within 2⁻²¹ of |Aᵀ||m||A| + |bias| (+ |old|)
// (at most six float32 additions), for tile counts 1..50, row counts 1 to 5 (up to
// three tile rows, the last one of one row when odd), both admissible column counts,
// both modes and prefetch distances 0, within the buffer and far past it (a hint),
// and writes nothing else of the image.
func TestWinogradOutputF2(t *testing.T) {
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(6, uint64(isa)))
		for tiles := 1; tiles <= 50; tiles++ {
			srcStride := 3*tiles + rng.IntN(5)
			src := make([]float32, 16*srcStride)
			for i := range src {
				src[i] = rng.Float32()*4 - 2
			}
			for rows := 1; rows <= 5; rows++ {
				for _, cols := range []int{2 * tiles, 2*tiles - 1} {
					for _, acc := range []bool{false, true} {
						ldy := cols + rng.IntN(9)
						bias := rng.Float32() - 0.5
						dst := make([]float32, 6*ldy)
						for i := range dst {
							dst[i] = rng.Float32()
						}
						old := append([]float32(nil), dst...)
						twin := append([]float32(nil), dst...)
						next := []int{0, 6 * ldy, 1 << 20}[rng.IntN(3)] // a hint: no change
						OutputF2(dst[:(rows-1)*ldy+cols], ldy, rows, cols, src, srcStride, tiles, bias, acc, next)
						winoOutputF2Generic(twin, ldy, rows, cols, src, srcStride, tiles, bias, acc, 0)
						for r := 0; r < 6; r++ {
							for c := 0; c < ldy; c++ {
								i := r*ldy + c
								got := dst[i]
								if !kerneltest.SameFloat(got, twin[i]) {
									t.Fatalf("tiles %d rows %d cols %d acc %v: (%d,%d) = %v, the Go twin gives %v",
										tiles, rows, cols, acc, r, c, got, twin[i])
								}
								if r >= rows || c >= cols {
									if got != old[i] {
										t.Fatalf("tiles %d rows %d cols %d: wrote (%d,%d) outside the output", tiles, rows, cols, r, c)
									}
									continue
								}
								tt, j := c/2, c%2
								want, mag := float64(bias), math.Abs(float64(bias))
								if acc {
									want += float64(old[i])
									mag += math.Abs(float64(old[i]))
								}
								for a := 0; a < 4; a++ {
									for b := 0; b < 4; b++ {
										k := f2AT[r%2][a] * f2AT[j][b] * float64(src[(a*4+b)*srcStride+r/2*tiles+tt])
										want += k
										mag += math.Abs(k)
									}
								}
								if d := math.Abs(float64(got) - want); d > mag/(1<<21) {
									t.Fatalf("tiles %d rows %d cols %d acc %v: (%d,%d) = %v, want %v (|diff| %.3g)",
										tiles, rows, cols, acc, r, c, got, want, d)
								}
							}
						}
					}
				}
			}
		}
	})
}

// OutputGradF2 on every path equals the Go twin bit for bit and A·dy·Aᵀ (float64,
// dy zero outside rows × cols) exactly up to two float32 additions (2⁻²³ of
// |A||dy||Aᵀ|), for tile counts 1..50, one to three tile rows with every row count
// 0..2·tileRows, both admissible column counts, and writes nothing outside its tiles.
func TestWinogradOutputGradF2(t *testing.T) {
	a := [4][2]float64{{1, 0}, {1, 1}, {1, -1}, {0, -1}}
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(8, uint64(isa)))
		for tiles := 1; tiles <= 50; tiles++ {
			for tileRows := 1; tileRows <= 3; tileRows++ {
				for rows := 0; rows <= 2*tileRows; rows++ {
					for _, cols := range []int{2 * tiles, 2*tiles - 1} {
						ldy := cols + rng.IntN(5)
						src := make([]float32, 2*tileRows*ldy)
						for i := range src {
							src[i] = rng.Float32()*4 - 2
						}
						n := tileRows * tiles
						dstStride := n + rng.IntN(5)
						dst := make([]float32, 16*dstStride+8)
						const sentinel = 4321
						for i := range dst {
							dst[i] = sentinel
						}
						twin := append([]float32(nil), dst...)
						view := src[:max(0, (rows-1)*ldy+cols)]
						OutputGradF2(dst, dstStride, view, ldy, rows, cols, tiles, tileRows)
						winoOutputGradF2Generic(twin, dstStride, view, ldy, rows, cols, tiles, tileRows)
						for i := range dst {
							if !kerneltest.SameFloat(dst[i], twin[i]) {
								t.Fatalf("%d×%d tiles rows %d cols %d: dst[%d] = %v, the Go twin gives %v", tileRows, tiles, rows, cols, i, dst[i], twin[i])
							}
						}
						for r := 0; r < tileRows; r++ {
							for tt := 0; tt < tiles; tt++ {
								for xa := 0; xa < 4; xa++ {
									for xb := 0; xb < 4; xb++ {
										var want, mag float64
										for i := 0; i < 2 && 2*r+i < rows; i++ {
											for j := 0; j < 2 && 2*tt+j < cols; j++ {
												c := a[xa][i] * a[xb][j] * float64(src[(2*r+i)*ldy+2*tt+j])
												want += c
												mag += math.Abs(c)
											}
										}
										got := float64(dst[(4*xa+xb)*dstStride+r*tiles+tt])
										if d := math.Abs(got - want); d > mag/(1<<23) {
											t.Fatalf("%d×%d tiles rows %d cols %d: tile (%d, %d) element %d = %v, want %v",
												tileRows, tiles, rows, cols, r, tt, 4*xa+xb, got, want)
										}
									}
								}
							}
						}
						for xi := 0; xi < 16; xi++ {
							for c := n; c < dstStride; c++ {
								if dst[xi*dstStride+c] != sentinel {
									t.Fatalf("%d×%d tiles: wrote dst[%d·%d + %d] past the tiles", tileRows, tiles, xi, dstStride, c)
								}
							}
						}
					}
				}
			}
		}
	})
}
