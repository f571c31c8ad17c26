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

// InputF2BF16Rows is InputF2BF16 reading the plane with column 0 of every row as zero
// when padLeft and column 2·tiles + 1 as zero when padRight (InputF2PairsRows's
// padding): the weight gradient reads an image's inner tile rows of the stored bf16
// activations in place with it (src at the element before the row's first, rowStride
// the image width, as small as 2·tiles). With padRight column 2·tiles + 1 is never
// read, so src may end just before it.
func InputF2BF16Rows(dst []float32, dstStride int, src []uint16, rowStride, tiles, tileRows int, padLeft, padRight bool) {
	if tiles <= 0 || tileRows <= 0 {
		return
	}
	needSrc := (2*tileRows+1)*rowStride + 2*tiles + 2
	if padRight {
		needSrc--
	}
	needDst := 15*dstStride + tileRows*tiles
	if len(src) < needSrc || len(dst) < needDst || dstStride < tileRows*tiles || rowStride < 2*tiles {
		panic(fmt.Sprintf("winograd.InputF2BF16Rows: %d×%d tiles need src %d (have %d, rowStride %d), dst %d (have %d), dstStride %d",
			tileRows, tiles, needSrc, len(src), rowStride, needDst, len(dst), dstStride))
	}
	f2BF16RowsInstalled(dst, dstStride, src, rowStride, tiles, tileRows, padLeft, padRight)
}

// f2BF16SrcByISA holds the paths with an assembly InputF2BF16 (AVX-512 with
// AVX512BW); the others run winoInputF2BF16Generic. It is its own table, beside
// f2ByISA, so that the F(2×2) output transforms and this input transform stay in
// separate files.
var f2BF16SrcByISA = map[cpu.ISA]func(dst []float32, dstStride int, src []uint16, rowStride, tiles, tileRows int){}

// f2BF16SrcInstalled is the active path's InputF2BF16 (set by installF2BF16Src).
var f2BF16SrcInstalled = winoInputF2BF16Generic

// f2BF16RowsByISA and f2BF16RowsInstalled are f2BF16SrcByISA and f2BF16SrcInstalled
// for InputF2BF16Rows.
var (
	f2BF16RowsByISA     = map[cpu.ISA]func(dst []float32, dstStride int, src []uint16, rowStride, tiles, tileRows int, padLeft, padRight bool){}
	f2BF16RowsInstalled = winoInputF2BF16RowsGeneric
)

func init() { cpu.OnInstall(installF2BF16Src) }

// installF2BF16Src selects the InputF2BF16 and InputF2BF16Rows of path isa.
func installF2BF16Src(isa cpu.ISA) {
	f2BF16SrcInstalled = winoInputF2BF16Generic
	if k := f2BF16SrcByISA[isa]; k != nil {
		f2BF16SrcInstalled = k
	}
	f2BF16RowsInstalled = winoInputF2BF16RowsGeneric
	if k := f2BF16RowsByISA[isa]; k != nil {
		f2BF16RowsInstalled = k
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

// winoInputF2BF16RowsGeneric is InputF2BF16Rows in plain Go: winoInputF2BF16Generic's
// loop with the padding columns read as zero.
func winoInputF2BF16RowsGeneric(dst []float32, dstStride int, src []uint16, rowStride, tiles, tileRows int, padLeft, padRight bool) {
	var d [4 * 4]float32 // the tile widened, rows 4 apart
	var v [16]float32
	for r := 0; r < tileRows; r++ {
		for tile := 0; tile < tiles; tile++ {
			for i := 0; i < 4; i++ {
				for j := 0; j < 4; j++ {
					c := 2*tile + j
					if padLeft && c == 0 || padRight && c == 2*tiles+1 {
						d[4*i+j] = 0
						continue
					}
					d[4*i+j] = math.Float32frombits(uint32(src[(2*r+i)*rowStride+c]) << 16)
				}
			}
			winoInputTile(&v, d[:], 4, 0)
			for xi, x := range v {
				dst[xi*dstStride+r*tiles+tile] = x
			}
		}
	}
}
