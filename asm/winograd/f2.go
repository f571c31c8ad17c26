package winograd

import (
	"fmt"

	"github.com/fastgo/fastgo/asm/cpu"
)

// Winograd F(2×2, 3×3) (Lavin & Gray 2016, interpolation points 0, ±1, ∞): a 3×3
// correlation of a 4×4 input tile d gives the 2×2 output tile Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A,
// where
//
//	     ⎡1  0 −1  0⎤        ⎡ 1    0    0 ⎤
//	Bᵀ = ⎢0  1  1  0⎥    G = ⎢1/2  1/2  1/2⎥    Aᵀ = ⎡1  1  1  0⎤
//	     ⎢0 −1  1  0⎥        ⎢1/2 −1/2  1/2⎥         ⎣0  1 −1 −1⎦
//	     ⎣0  1  0 −1⎦        ⎣ 0    0    1 ⎦
//
// 16 multiplications per 4 outputs instead of 36 (2.25× fewer). Bᵀ and Aᵀ have only
// 0 and ±1 entries, so the transformed inputs are sums of at most 4 inputs and the
// output transform adds at most 9 products: their rounding adds little to an
// arithmetic whose operands are rounded anyway, which is why the BF16 convolutions
// use this transform (tensor/functional) where F(4×4, 3×3), whose Bᵀ and Aᵀ reach 5
// and 8, amplifies the bf16 rounding of its operands several times.
//
// AVX-512 has assembly kernels (f2_avx512_amd64.s); AVX2, NEON and the generic path
// run the Go twins (f2_generic.go), which give the same bits: the BF16 convolutions
// take F(2×2) by default only on AVX-512 (tensor/functional's wino2Wins).
//
// Layout. The input is a zero-padded image plane read in place: element (i, j) of
// tile t (i, j < 4) is src[i·rowStride + 2t + j], so tile t starts at column 2t. The
// transformed element ξ = 4a + b of tile t goes to dst[ξ·dstStride + t]; the output
// transform reads m[ξ·srcStride + t] and writes the 2×2 tiles into image rows.

// F2Filter is G⊗G of F(2×2, 3×3) as a 16×9 row-major matrix: row ξ = 4a + b, column
// 3i + j holds G[a][i]·G[b][j] (exact in float32: 0, ±1/4, ±1/2 or 1), so that the
// transformed filter is u[ξ] = Σ F2Filter[ξ][3i+j]·g[i][j].
var F2Filter = func() []float32 {
	G := [4][3]float32{{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}}
	k := make([]float32, 16*9)
	for a := 0; a < 4; a++ {
		for b := 0; b < 4; b++ {
			for i := 0; i < 3; i++ {
				for j := 0; j < 3; j++ {
					k[(a*4+b)*9+i*3+j] = G[a][i] * G[b][j]
				}
			}
		}
	}
	return k
}()

// InputF2 computes the input transform Bᵀ d B of tiles consecutive 4×4 tiles of each
// of tileRows consecutive tile rows: element (i, j) of tile t of tile row r is
// src[(2r + i)·rowStride + 2t + j] (tile rows overlap by two image rows); transformed
// element ξ = 4a+b of tile t of tile row r goes to dst[ξ·dstStride + r·tiles + t].
// One call for a run of tile rows saves the per-call setup of one per tile row.
func InputF2(dst []float32, dstStride int, src []float32, rowStride, tiles, tileRows int) {
	if tiles <= 0 || tileRows <= 0 {
		return
	}
	needSrc := (2*tileRows+1)*rowStride + 2*tiles + 2
	needDst := 15*dstStride + tileRows*tiles
	if len(src) < needSrc || len(dst) < needDst || dstStride < tileRows*tiles || rowStride < 2*tiles+2 {
		panic(fmt.Sprintf("winograd.InputF2: %d×%d tiles need src %d (have %d, rowStride %d), dst %d (have %d), dstStride %d",
			tileRows, tiles, needSrc, len(src), rowStride, needDst, len(dst), dstStride))
	}
	f2Installed.input(dst, dstStride, src, rowStride, tiles, tileRows)
}

// OutputF2 computes the output transform Aᵀ m A of the tiles of ⌈rows/2⌉ consecutive
// tile rows of one image, tiles tiles each, and writes (acc false) or adds (acc true)
// it plus bias into the image rows dst[i·ldy + c] for i < rows and c < cols
// (2·(tiles−1) < cols ≤ 2·tiles): output (i, j) of tile t of tile row r is row
// i = 2r + i', column c = 2t + j (the last tile row has one row when rows is odd).
// Element ξ = 4a+b of tile t of tile row r is src[ξ·srcStride + r·tiles + t]: the
// tile rows' tiles follow each other, as the Winograd convolutions lay out a chunk.
// One call for a run of tile rows saves the per-call setup of one per tile row.
// next > 0 is a hint, as for OutputF2ReLU: the AVX-512 kernel prefetches the lines
// next elements on from each output it writes (0 prefetches nothing).
func OutputF2(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, acc bool, next int) {
	if tiles <= 0 || rows <= 0 {
		return
	}
	tileRows := (rows + 1) / 2
	if cols <= 2*(tiles-1) || cols > 2*tiles || ldy < cols || next < 0 ||
		len(dst) < (rows-1)*ldy+cols || srcStride < tileRows*tiles || len(src) < 15*srcStride+tileRows*tiles {
		panic(fmt.Sprintf("winograd.OutputF2: %d tiles, %d rows × %d cols (ldy %d, dst %d), src %d with stride %d, next %d",
			tiles, rows, cols, ldy, len(dst), len(src), srcStride, next))
	}
	f2Installed.output(dst, ldy, rows, cols, src, srcStride, tiles, bias, acc, next)
}

// OutputGradF2 computes the transform A·dy·Aᵀ of F(2×2, 3×3) (A = (Aᵀ)ᵀ, see the
// matrices above) of tiles consecutive 2×2 tiles of each of tileRows consecutive tile
// rows of an output gradient: the 4×4 tiles whose element-wise products with the
// transformed input tiles, summed over tiles, are the transformed weight gradient
// (dW = Gᵀ[Σ (A dy Aᵀ) ⊙ (Bᵀ d B)]G). Element (i, j) of tile t of tile row r is
// src[(2r+i)·ldy + 2t + j] for 2r+i < rows (≤ 2·tileRows) and 2t + j < cols
// (2·(tiles−1) < cols ≤ 2·tiles), zero outside; transformed element ξ = 4a+b of tile
// t of tile row r goes to dst[ξ·dstStride + r·tiles + t]. A's entries are 0 and ±1,
// so every path gives the Go twin's bits. One call for a run of tile rows saves the
// per-call setup of one per tile row.
func OutputGradF2(dst []float32, dstStride int, src []float32, ldy, rows, cols, tiles, tileRows int) {
	if tiles <= 0 || tileRows <= 0 {
		return
	}
	if rows < 0 || rows > 2*tileRows || cols <= 2*(tiles-1) || cols > 2*tiles || ldy < cols ||
		(rows > 0 && len(src) < (rows-1)*ldy+cols) || dstStride < tileRows*tiles || len(dst) < 15*dstStride+tileRows*tiles {
		panic(fmt.Sprintf("winograd.OutputGradF2: %d×%d tiles, %d rows × %d cols (ldy %d, src %d), dst %d with stride %d",
			tileRows, tiles, rows, cols, ldy, len(src), len(dst), dstStride))
	}
	f2Installed.outputGrad(dst, dstStride, src, ldy, rows, cols, tiles, tileRows)
}

// f2Kernels is one path's F(2×2, 3×3) transforms.
type f2Kernels struct {
	input      func(dst []float32, dstStride int, src []float32, rowStride, tiles, tileRows int)
	output     func(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, acc bool, next int)
	outputGrad func(dst []float32, dstStride int, src []float32, ldy, rows, cols, tiles, tileRows int)
	// outputReLU is OutputF2ReLU's kernel (f2epi.go).
	outputReLU func(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, res []float32, next int)
}

var f2Generic = &f2Kernels{input: winoInputF2Generic, output: winoOutputF2Generic, outputGrad: winoOutputGradF2Generic,
	outputReLU: winoOutputF2ReLUGeneric}

// f2ByISA holds the paths with assembly F(2×2) transforms; the others use f2Generic.
var f2ByISA = map[cpu.ISA]*f2Kernels{}

// f2Installed is the active path's F(2×2) transforms (set by installF2).
var f2Installed = f2Generic

func init() { cpu.OnInstall(installF2) }

// installF2 selects the F(2×2) transforms of path isa.
func installF2(isa cpu.ISA) {
	f2Installed = f2Generic
	if k := f2ByISA[isa]; k != nil {
		f2Installed = k
	}
	f2PairsInstalled = winoInputF2PairsGeneric
	if k := f2PairsByISA[isa]; k != nil {
		f2PairsInstalled = k
	}
}

// f2PairsByISA holds the paths with an assembly InputF2Pairs (AVX-512 where the CPU
// has AVX512_BF16); the others run winoInputF2PairsGeneric.
var f2PairsByISA = map[cpu.ISA]func(dst []uint32, dstStride int, src0, src1 []float32, rowStride, tiles, tileRows int){}

// F2Path reports whether the active path has assembly F(2×2) transforms (false: the
// Go twins run).
func F2Path() bool { return f2Installed != f2Generic }
