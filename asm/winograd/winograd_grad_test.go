package winograd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/internal/kerneltest"
)

// OutputGradF4 equals A·dy·Aᵀ (float64, A the transpose of the output
// transform's Aᵀ, the tile zero outside rows × cols) within 1e-6 of |A||dy||Aᵀ|: its
// float32 sums have at most 8 terms with power-of-two coefficients up to 64, so each
// output is within a few ulps of that magnitude. On every path it also equals the Go
// twin bit for bit (the same sums, rounded in the same order; every product is by a
// power of two) and writes nothing outside its tiles. Tile counts 1..40 (every lane
// tail of the 16-tile blocks, one to three blocks), partial last tiles (1..3 columns
// cut) and 0..4 rows, with source rows cut exactly at cols so that a kernel reading
// past them faults or is caught.
func TestWinogradOutputGradF4(t *testing.T) {
	At := [4][6]float64{
		{1, 1, 1, 1, 1, 0},
		{0, 1, -1, 2, -2, 0},
		{0, 1, 1, 4, 4, 0},
		{0, 1, -1, 8, -8, 1},
	}
	const sentinel = 12345
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		r := rand.New(rand.NewPCG(7, 12+uint64(isa)))
		for tiles := 1; tiles <= 40; tiles++ {
			for _, cut := range []int{0, 1, 2, 3} {
				cols := 4*tiles - cut
				for rows := 0; rows <= 4; rows++ {
					ldy := cols + r.IntN(5)
					src := make([]float32, 4*ldy)
					for i := range src {
						src[i] = r.Float32()*2 - 1
					}
					// The source ends at the last row's last column.
					srcLen := cols
					if rows > 0 {
						srcLen = (rows-1)*ldy + cols
					}
					src = src[:srcLen]
					stride := tiles + r.IntN(3)
					dst := make([]float32, 36*stride+8)
					for i := range dst {
						dst[i] = sentinel
					}
					OutputGradF4(dst, stride, src, ldy, rows, cols, tiles)
					twin := make([]float32, len(dst))
					for i := range twin {
						twin[i] = sentinel
					}
					winoOutputGradF4Generic(twin, stride, src, ldy, rows, cols, tiles)
					for i := range dst {
						if math.Float32bits(dst[i]) != math.Float32bits(twin[i]) {
							t.Fatalf("tiles %d cols %d rows %d: dst[%d] = %v, the Go twin gives %v", tiles, cols, rows, i, dst[i], twin[i])
						}
					}
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
					for xi := 0; xi < 36; xi++ {
						for c := tiles; c < stride; c++ {
							if dst[xi*stride+c] != sentinel {
								t.Fatalf("tiles %d: wrote dst[%d·%d + %d] past the tiles", tiles, xi, stride, c)
							}
						}
					}
					for _, v := range dst[35*stride+tiles:] {
						if v != sentinel {
							t.Fatalf("tiles %d: wrote past the last row", tiles)
						}
					}
				}
			}
		}
	})
}
