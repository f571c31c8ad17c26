package winograd

import (
	"fmt"
	"math"
)

// InputF2Pairs is InputF2 for two input channels at once, written as the bf16 GEMMs
// read a packed operand: element ξ of tile t of tile row r of channel 0 (src0) and of
// channel 1 (src1), each rounded to bfloat16 (nearest even, denormals to a zero of
// their sign, NaNs quiet, as the GEMMs round), go to dst[ξ·dstStride + r·tiles + t]
// as one 32-bit pair, channel 0 in bits 0–15 and channel 1 in bits 16–31. Both
// planes are read as InputF2 reads src (tile t of tile row r starts at column 2t of
// row 2r, rowStride apart). With the pairs of channels (2q, 2q+1) at dst offsets
// q·W, this writes the transformed input straight into the bf16 GEMM's packed B
// (asm/gemm's BF16PanelSpan gives the offsets): no float32 transformed input and no
// packing pass. The transform's sums are InputF2's, so the pairs are the bf16
// rounding of InputF2's output, bit for bit.
func InputF2Pairs(dst []uint32, dstStride int, src0, src1 []float32, rowStride, tiles, tileRows int) {
	if tiles <= 0 || tileRows <= 0 {
		return
	}
	needSrc := (2*tileRows+1)*rowStride + 2*tiles + 2
	needDst := 15*dstStride + tileRows*tiles
	if len(src0) < needSrc || len(src1) < needSrc || len(dst) < needDst || dstStride < tileRows*tiles || rowStride < 2*tiles+2 {
		panic(fmt.Sprintf("winograd.InputF2Pairs: %d×%d tiles need src %d (have %d and %d, rowStride %d), dst %d (have %d), dstStride %d",
			tileRows, tiles, needSrc, len(src0), len(src1), rowStride, needDst, len(dst), dstStride))
	}
	f2PairsInstalled(dst, dstStride, src0, src1, rowStride, tiles, tileRows)
}

// f2PairsInstalled is the active path's InputF2Pairs (set by installF2).
var f2PairsInstalled = winoInputF2PairsGeneric

// winoInputF2PairsGeneric is InputF2Pairs in plain Go, one tile at a time (the sums of
// winoInputF2Generic).
func winoInputF2PairsGeneric(dst []uint32, dstStride int, src0, src1 []float32, rowStride, tiles, tileRows int) {
	var v0, v1 [16]float32
	for r := 0; r < tileRows; r++ {
		for tile := 0; tile < tiles; tile++ {
			winoInputTile(&v0, src0[2*r*rowStride:], rowStride, tile)
			winoInputTile(&v1, src1[2*r*rowStride:], rowStride, tile)
			for xi := range v0 {
				dst[xi*dstStride+r*tiles+tile] = uint32(bf16Bits(v0[xi])) | uint32(bf16Bits(v1[xi]))<<16
			}
		}
	}
}

// bf16Bits rounds x to bfloat16 as asm/gemm's BF16Bits and VCVTNE2PS2BF16 do: nearest
// even, zeros and denormals to a zero of their sign, NaNs quiet (the tests check it
// against gemm.BF16Bits; this package cannot import gemm, on its own layer).
func bf16Bits(x float32) uint16 {
	b := math.Float32bits(x)
	switch {
	case b&0x7f800000 == 0:
		return uint16(b>>16) & 0x8000
	case b&0x7fffffff > 0x7f800000:
		return uint16(b>>16) | 0x0040
	}
	return uint16((b + 0x7fff + (b>>16)&1) >> 16)
}
