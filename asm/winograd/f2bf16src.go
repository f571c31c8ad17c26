package winograd

import (
	"fmt"
	"math"

	"github.com/fastgo/fastgo/asm/cpu"
)

// InputF2BF16 is InputF2 on a plane stored as bfloat16: src holds the bit patterns
// (asm/gemm's ToBF16 of the values), each widened to float32 as the transform reads it
// (bits << 16, exact). The transform's sums are InputF2's on the widened plane, so
// the result is InputF2's on gemm.FromBF16(src), bit for bit, without the float32
// copy of the plane (half the bytes read, no widening pass). The BF16 weight gradient
// of the F(2×2) convolutions reads the bf16 activations kept for the backward pass
// through it.
func InputF2BF16(dst []float32, dstStride int, src []uint16, rowStride, tiles, tileRows int) {
	if tiles <= 0 || tileRows <= 0 {
		return
	}
	needSrc := (2*tileRows+1)*rowStride + 2*tiles + 2
	needDst := 15*dstStride + tileRows*tiles
	if len(src) < needSrc || len(dst) < needDst || dstStride < tileRows*tiles || rowStride < 2*tiles+2 {
		panic(fmt.Sprintf("winograd.InputF2BF16: %d×%d tiles need src %d (have %d, rowStride %d), dst %d (have %d), dstStride %d",
			tileRows, tiles, needSrc, len(src), rowStride, needDst, len(dst), dstStride))
	}
	f2BF16SrcInstalled(dst, dstStride, src, rowStride, tiles, tileRows)
}

// f2BF16SrcByISA holds the paths with an assembly InputF2BF16 (AVX-512 with
// AVX512BW); the others run winoInputF2BF16Generic. It is its own table, beside
// f2ByISA, so that the F(2×2) output transforms and this input transform stay in
// separate files.
var f2BF16SrcByISA = map[cpu.ISA]func(dst []float32, dstStride int, src []uint16, rowStride, tiles, tileRows int){}

// f2BF16SrcInstalled is the active path's InputF2BF16 (set by installF2BF16Src).
var f2BF16SrcInstalled = winoInputF2BF16Generic

func init() { cpu.OnInstall(installF2BF16Src) }

// installF2BF16Src selects the InputF2BF16 of path isa.
func installF2BF16Src(isa cpu.ISA) {
	f2BF16SrcInstalled = winoInputF2BF16Generic
	if k := f2BF16SrcByISA[isa]; k != nil {
		f2BF16SrcInstalled = k
	}
}

// winoInputF2BF16Generic is InputF2BF16 in plain Go, one tile at a time: each tile's
// 4×4 inputs widened, then winoInputF2Generic's sums (winoInputTile).
func winoInputF2BF16Generic(dst []float32, dstStride int, src []uint16, rowStride, tiles, tileRows int) {
	var d [4 * 4]float32 // the tile widened, rows 4 apart
	var v [16]float32
	for r := 0; r < tileRows; r++ {
		for tile := 0; tile < tiles; tile++ {
			for i := 0; i < 4; i++ {
				row := src[(2*r+i)*rowStride+2*tile : (2*r+i)*rowStride+2*tile+4]
				for j, b := range row {
					d[4*i+j] = math.Float32frombits(uint32(b) << 16)
				}
			}
			winoInputTile(&v, d[:], 4, 0)
			for xi, x := range v {
				dst[xi*dstStride+r*tiles+tile] = x
			}
		}
	}
}
