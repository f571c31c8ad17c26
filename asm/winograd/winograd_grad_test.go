package winograd

import (
	"math"
	"math/rand/v2"
	"testing"
)

// WinogradOutputGradF4 equals A·dy·Aᵀ (float64, A the transpose of the output
// transform's Aᵀ, the tile zero outside rows × cols) within 1e-6 of |A||dy||Aᵀ|: its
// float32 sums have at most 8 terms with power-of-two coefficients up to 64, so each
// output is within a few ulps of that magnitude. Tile counts 1..21, partial last tiles
// and 0..4 rows; on every path (it is Go everywhere, so one run covers them).
func TestWinogradOutputGradF4(t *testing.T) {
	At := [4][6]float64{
		{1, 1, 1, 1, 1, 0},
		{0, 1, -1, 2, -2, 0},
		{0, 1, 1, 4, 4, 0},
		{0, 1, -1, 8, -8, 1},
	}
	r := rand.New(rand.NewPCG(7, 12))
	for _, tiles := range []int{1, 2, 3, 5, 8, 13, 21} {
		for _, cut := range []int{0, 1, 3} {
			cols := 4*tiles - cut
			for rows := 0; rows <= 4; rows++ {
				ldy := cols + 3
				src := make([]float32, 4*ldy)
				for i := range src {
					src[i] = r.Float32()*2 - 1
				}
				stride := tiles + 2
				dst := make([]float32, 36*stride)
				WinogradOutputGradF4(dst, stride, src, ldy, rows, cols, tiles)
				for tile := 0; tile < tiles; tile++ {
					for a := 0; a < 6; a++ {
						for b := 0; b < 6; b++ {
							var want, mag float64
							for p := 0; p < rows; p++ {
								for q := 0; q < 4; q++ {
									c := 4*tile + q
									if c >= cols {
										continue
									}
									v := float64(src[p*ldy+c]) * At[p][a] * At[q][b]
									want += v
									mag += math.Abs(v)
								}
							}
							got := float64(dst[(a*6+b)*stride+tile])
							if math.Abs(got-want) > 1e-6*mag+1e-30 {
								t.Fatalf("tiles %d cols %d rows %d tile %d ξ (%d,%d): got %v want %v", tiles, cols, rows, tile, a, b, got, want)
							}
						}
					}
				}
			}
		}
	}
}
