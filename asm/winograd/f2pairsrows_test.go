package winograd

import (
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/internal/kerneltest"
)

// TestInputF2PairsRows checks InputF2PairsRows on every path, with each combination of
// padLeft and padRight, against InputF2Pairs on the same path on the planes with those
// columns zeroed, bit for bit (what the convolution relies on), and against the Go
// twin there (bit for bit but for the sign of NaNs, which the Go compiler's operand
// order may pick differently): tile counts around the 16-tile block (the padding
// columns fall in the first and in the last block), one to three tile rows, strides
// from the least (2·tiles, an image row's) up, and sources ending at the last column
// read (TestInputF2PairsRowsPageEnd has them end at an inaccessible page); words past
// the tiles keep their sentinel.
func TestInputF2PairsRows(t *testing.T) {
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(41, uint64(isa)))
		for _, tiles := range []int{1, 2, 7, 8, 15, 16, 17, 28, 31, 32, 33, 48} {
			for tileRows := 1; tileRows <= 3; tileRows++ {
				for pads := 0; pads < 4; pads++ {
					padLeft, padRight := pads&1 != 0, pads&2 != 0
					rowStride := 2*tiles + rng.IntN(3) // 2·tiles: the image rows themselves
					n := (2*tileRows+1)*rowStride + 2*tiles + 2
					if padRight {
						n--
					}
					src0, src1 := pairsPlane(rng, n), pairsPlane(rng, n)
					// The padded planes the twin reads, rs apart.
					rs := 2*tiles + 2
					p0, p1 := make([]float32, (2*tileRows+2)*rs), make([]float32, (2*tileRows+2)*rs)
					for i := 0; i < 2*tileRows+2; i++ {
						for c := 0; c < rs; c++ {
							if c == 0 && padLeft || c == rs-1 && padRight {
								continue
							}
							p0[i*rs+c], p1[i*rs+c] = src0[i*rowStride+c], src1[i*rowStride+c]
						}
					}
					dstStride := tileRows*tiles + rng.IntN(4)
					const sentinel = 0xDEADBEEF
					dst := make([]uint32, 16*dstStride)
					want := make([]uint32, 16*dstStride)
					for i := range dst {
						dst[i], want[i] = sentinel, sentinel
					}
					InputF2PairsRows(dst, dstStride, src0, src1, rowStride, tiles, tileRows, padLeft, padRight)
					InputF2Pairs(want, dstStride, p0, p1, rs, tiles, tileRows)
					twin := make([]uint32, 16*dstStride)
					winoInputF2PairsGeneric(twin, dstStride, p0, p1, rs, tiles, tileRows)
					for i := range dst {
						if dst[i] != want[i] {
							t.Fatalf("%v, %d×%d tiles (rowStride %d, pads %v %v): word %d (ξ %d) = %#08x, InputF2Pairs on the padded planes %#08x",
								isa, tileRows, tiles, rowStride, padLeft, padRight, i, i/dstStride, dst[i], want[i])
						}
						if i%dstStride < tileRows*tiles && !samePair(dst[i], twin[i]) {
							t.Fatalf("%v, %d×%d tiles (rowStride %d, pads %v %v): word %d (ξ %d) = %#08x, the Go twin on the padded planes %#08x",
								isa, tileRows, tiles, rowStride, padLeft, padRight, i, i/dstStride, dst[i], twin[i])
						}
					}
				}
			}
		}
	})
}

// samePair reports whether two bf16 pairs are equal, each half bit for bit or both NaN.
func samePair(a, b uint32) bool {
	for _, sh := range []uint{0, 16} {
		x, y := uint16(a>>sh), uint16(b>>sh)
		nan := func(h uint16) bool { return h&0x7f80 == 0x7f80 && h&0x007f != 0 }
		if x != y && !(nan(x) && nan(y)) {
			return false
		}
	}
	return true
}
