// Package winograd is the Winograd F(4×4, 3×3) convolution transforms (and those of
// F(2×2, 3×3), f2.go, for the BF16 convolutions): the input
// transform (InputF4), the output transform (OutputF4) and its adjoint
// for the gradient (OutputGradF4), as AVX-512, AVX2 and NEON assembly beside
// pure-Go twins (the reference and the fallback), and the filter transform matrix
// (F4Filter). Each call takes the kernels of asm/cpu's active instruction set, so
// FASTGO_SIMD and cpu.Use switch them.
package winograd

import (
	"fmt"

	"github.com/fastgo/fastgo/asm/cpu"
)

// Winograd F(4×4, 3×3) transforms (Lavin & Gray, "Fast Algorithms for Convolutional
// Neural Networks", 2016, interpolation points 0, ±1, ±2, ∞): a 3×3 convolution of a
// 6×6 input tile d gives the 4×4 output tile Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A, where
//
//	     ⎡4  0 −5  0  1  0⎤         ⎡ 1/4     0     0⎤        ⎡1  1  1  1  1  0⎤
//	     ⎢0 −4 −4  1  1  0⎥         ⎢−1/6  −1/6  −1/6⎥   Aᵀ = ⎢0  1 −1  2 −2  0⎥
//	Bᵀ = ⎢0  4 −4 −1  1  0⎥    G =  ⎢−1/6   1/6  −1/6⎥        ⎢0  1  1  4  4  0⎥
//	     ⎢0 −2 −1  2  1  0⎥         ⎢1/24  1/12   1/6⎥        ⎣0  1 −1  8 −8  1⎦
//	     ⎢0  2 −1 −2  1  0⎥         ⎢1/24 −1/12   1/6⎥
//	     ⎣0  4  0 −5  0  1⎦         ⎣   0     0     1⎦
//
// The kernels here are the input transform Bᵀ d B and the output transform Aᵀ m A for a
// row of tiles at a time, vectorised across the tiles of the row; the element-wise
// products of all channels are the GEMMs of the convolution driver (tensor/functional), the
// filter transform one small GEMM with the Kronecker product G⊗G.
//
// Layouts. The input is a "phase plane": each (zero-padded) image row split into its 4
// phases by column (phase r holds columns r, r+4, r+8, …), so that column 4·t + j of
// the tile row is phase j mod 4 at index t + j/4 and every tap of every tile is a
// contiguous run across the tiles. The transformed tile ξ = 6·a + b of tile t goes to
// dst[ξ·dstStride + t]; the output transform reads m[ξ·srcStride + t] and writes
// the 4×4 tiles into image rows.

// WinoF4Alpha is the input tile size of F(4×4, 3×3); WinoF4M is its output tile size.
const (
	WinoF4Alpha = 6
	WinoF4M     = 4
)

// F4Filter is G⊗G as a 36×9 row-major matrix: row ξ = 6·a + b, column 3·i + j
// holds G[a][i]·G[b][j], so that the transformed filter u[ξ] = Σ kron[ξ][3i+j]·g[i][j].
var F4Filter = func() []float32 {
	G := [6][3]float64{
		{1.0 / 4, 0, 0},
		{-1.0 / 6, -1.0 / 6, -1.0 / 6},
		{-1.0 / 6, 1.0 / 6, -1.0 / 6},
		{1.0 / 24, 1.0 / 12, 1.0 / 6},
		{1.0 / 24, -1.0 / 12, 1.0 / 6},
		{0, 0, 1},
	}
	k := make([]float32, 36*9)
	for a := 0; a < 6; a++ {
		for b := 0; b < 6; b++ {
			for i := 0; i < 3; i++ {
				for j := 0; j < 3; j++ {
					k[(a*6+b)*9+i*3+j] = float32(G[a][i] * G[b][j])
				}
			}
		}
	}
	return k
}()

// InputF4 computes the input transform Bᵀ d B of tiles consecutive 6×6 tiles
// of one tile row. src is the phase plane at the tile row's first input row: element
// (i, j) of tile t is src[i·rowStride + (j%4)·phaseStride + j/4 + t]. Transformed
// element ξ = 6a+b of tile t goes to dst[ξ·dstStride + t].
func InputF4(dst []float32, dstStride int, src []float32, rowStride, phaseStride, tiles int) {
	if tiles <= 0 {
		return
	}
	needSrc := 5*rowStride + max(3*phaseStride+tiles, phaseStride+tiles+1)
	needDst := 35*dstStride + tiles
	if len(src) < needSrc || len(dst) < needDst || dstStride < tiles || rowStride < 0 || phaseStride < 0 {
		panic(fmt.Sprintf("winograd.InputF4: %d tiles need src %d (have %d), dst %d (have %d), dstStride %d",
			tiles, needSrc, len(src), needDst, len(dst), dstStride))
	}
	curWino().inputF4(dst, dstStride, src, rowStride, phaseStride, tiles)
}

// OutputF4 computes the output transform Aᵀ m A of tiles consecutive tiles of
// one tile row and writes (acc false) or adds (acc true) it plus bias into the image
// rows dst[i·ldy + c] for i < rows (≤ 4) and c < cols (4·(tiles−1) < cols ≤ 4·tiles):
// output (i, j) of tile t is column c = 4t + j. Element ξ = 6a+b of tile t is
// src[ξ·srcStride + t].
func OutputF4(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, acc bool) {
	if tiles <= 0 || rows <= 0 {
		return
	}
	if rows > 4 || cols <= 4*(tiles-1) || cols > 4*tiles || ldy < cols ||
		len(dst) < (rows-1)*ldy+cols || srcStride < tiles || len(src) < 35*srcStride+tiles {
		panic(fmt.Sprintf("winograd.OutputF4: %d tiles, %d rows × %d cols (ldy %d, dst %d), src %d with stride %d",
			tiles, rows, cols, ldy, len(dst), len(src), srcStride))
	}
	curWino().outputF4(dst, ldy, rows, cols, src, srcStride, tiles, bias, acc)
}

// OutputF4ReLU is OutputF4 for a convolution's inference epilogue: it writes
// dst = relu(Aᵀ m A + bias + res) (the sum rounded in that order; a NaN stays NaN), res
// laid out as dst (res[i·ldy + c]) or nil for relu(Aᵀ m A + bias).
func OutputF4ReLU(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, res []float32) {
	if tiles <= 0 || rows <= 0 {
		return
	}
	if rows > 4 || cols <= 4*(tiles-1) || cols > 4*tiles || ldy < cols ||
		len(dst) < (rows-1)*ldy+cols || res != nil && len(res) < (rows-1)*ldy+cols ||
		srcStride < tiles || len(src) < 35*srcStride+tiles {
		panic(fmt.Sprintf("winograd.OutputF4ReLU: %d tiles, %d rows × %d cols (ldy %d, dst %d, res %d), src %d with stride %d",
			tiles, rows, cols, ldy, len(dst), len(res), len(src), srcStride))
	}
	if k := curWino().outputF4ReLU; k != nil {
		k(dst, ldy, rows, cols, src, srcStride, tiles, bias, res)
		return
	}
	// The path's OutputF4, then the residual and ReLU row by row (the same sums).
	curWino().outputF4(dst, ldy, rows, cols, src, srcStride, tiles, bias, false)
	for i := 0; i < rows; i++ {
		row := dst[i*ldy : i*ldy+cols]
		if res != nil {
			r := res[i*ldy : i*ldy+cols]
			for c := range row {
				row[c] = reluNaN(row[c] + r[c])
			}
			continue
		}
		for c := range row {
			row[c] = reluNaN(row[c])
		}
	}
}

// reluNaN is max(v, 0) with NaN kept (PyTorch's ReLU).
func reluNaN(v float32) float32 {
	if v < 0 {
		return 0
	}
	return v
}

// winoKernels is one path's Winograd transform kernels.
type winoKernels struct {
	inputF4  func(dst []float32, dstStride int, src []float32, rowStride, phaseStride, tiles int)
	outputF4 func(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, acc bool)
	// outputGradF4 is the output-gradient transform; nil where the path has none (the
	// Go twin serves).
	outputGradF4 func(dst []float32, dstStride int, src []float32, ldy, rows, cols, tiles int)
	// outputF4ReLU is OutputF4ReLU's kernel; nil where the path has none (its
	// outputF4 and a Go pass serve).
	outputF4ReLU func(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, res []float32)
	// phaseRow is PhaseRow's kernel; nil where the path has none (the Go twin serves).
	phaseRow func(dst []float32, phaseStride, cnt int, src []float32, pad int)
}

var genericWino = &winoKernels{inputF4: winoInputF4Generic, outputF4: winoOutputF4Generic,
	outputGradF4: winoOutputGradF4Generic, phaseRow: phaseRowGeneric, outputF4ReLU: winoOutputF4ReLUGeneric}

// winoByISA holds the paths with assembly transforms; the others use genericWino.
var winoByISA = map[cpu.ISA]*winoKernels{}

// installed is the active path's transforms, set by install, so that a call costs no
// map lookup (curWino was 1% of a training step's CPU time).
var installed = genericWino

func init() { cpu.OnInstall(install) }

// install selects the transforms of path isa; asm/cpu calls it at start-up and
// whenever cpu.Use switches paths.
func install(isa cpu.ISA) {
	installed = genericWino
	if k := winoByISA[isa]; k != nil {
		installed = k
	}
}

// curWino returns the transforms of the active path.
func curWino() *winoKernels { return installed }
