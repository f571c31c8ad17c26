package winograd

import (
	"fmt"

	"github.com/fastgo/fastgo/asm/cpu"
)

// InputF2PairsRows is InputF2Pairs reading the planes with column 0 of every row as
// zero when padLeft and column 2·tiles + 1 as zero when padRight: what a zero-padded
// plane would hold there. So the bf16 convolutions can read the tiles of an image's
// inner tile rows straight from its rows (src at the element before the row's first
// when padLeft, rowStride the image width), without copying them into a padded plane
// first; the pairs are InputF2Pairs's on the padded plane, bit for bit. With padRight
// column 2·tiles + 1 is never read, so src may end just before it; rowStride may be
// as small as 2·tiles (an image row's width), the masked columns then being the
// neighbouring rows' elements.
func InputF2PairsRows(dst []uint32, dstStride int, src0, src1 []float32, rowStride, tiles, tileRows int, padLeft, padRight bool) {
	if tiles <= 0 || tileRows <= 0 {
		return
	}
	needSrc := (2*tileRows+1)*rowStride + 2*tiles + 2
	if padRight {
		needSrc--
	}
	needDst := 15*dstStride + tileRows*tiles
	if len(src0) < needSrc || len(src1) < needSrc || len(dst) < needDst || dstStride < tileRows*tiles || rowStride < 2*tiles {
		panic(fmt.Sprintf("winograd.InputF2PairsRows: %d×%d tiles need src %d (have %d and %d, rowStride %d), dst %d (have %d), dstStride %d",
			tileRows, tiles, needSrc, len(src0), len(src1), rowStride, needDst, len(dst), dstStride))
	}
	f2PairsRowsInstalled(dst, dstStride, src0, src1, rowStride, tiles, tileRows, padLeft, padRight)
}

// f2PairsRowsByISA holds the paths with an assembly InputF2PairsRows (AVX-512 with
// AVX512_BF16); the others run winoInputF2PairsRowsGeneric. Its own table, beside
// f2PairsByISA, selected by its own install hook.
var f2PairsRowsByISA = map[cpu.ISA]func(dst []uint32, dstStride int, src0, src1 []float32, rowStride, tiles, tileRows int, padLeft, padRight bool){}

// f2PairsRowsInstalled is the active path's InputF2PairsRows.
var f2PairsRowsInstalled = winoInputF2PairsRowsGeneric

func init() {
	cpu.OnInstall(func(isa cpu.ISA) {
		f2PairsRowsInstalled = winoInputF2PairsRowsGeneric
		if k := f2PairsRowsByISA[isa]; k != nil {
			f2PairsRowsInstalled = k
		}
	})
}

// winoInputF2PairsRowsGeneric is InputF2PairsRows in plain Go, one tile at a time: the
// tile's 4×4 inputs gathered with the padding columns zero, then
// winoInputF2PairsGeneric's sums and rounding.
func winoInputF2PairsRowsGeneric(dst []uint32, dstStride int, src0, src1 []float32, rowStride, tiles, tileRows int, padLeft, padRight bool) {
	var d0, d1 [16]float32 // the two tiles, rows 4 apart
	var v0, v1 [16]float32
	for r := 0; r < tileRows; r++ {
		for tile := 0; tile < tiles; tile++ {
			for i := 0; i < 4; i++ {
				for j := 0; j < 4; j++ {
					c := 2*tile + j
					if padLeft && c == 0 || padRight && c == 2*tiles+1 {
						d0[4*i+j], d1[4*i+j] = 0, 0
						continue
					}
					d0[4*i+j] = src0[(2*r+i)*rowStride+c]
					d1[4*i+j] = src1[(2*r+i)*rowStride+c]
				}
			}
			winoInputTile(&v0, d0[:], 4, 0)
			winoInputTile(&v1, d1[:], 4, 0)
			for xi := range v0 {
				dst[xi*dstStride+r*tiles+tile] = uint32(bf16Bits(v0[xi])) | uint32(bf16Bits(v1[xi]))<<16
			}
		}
	}
}
