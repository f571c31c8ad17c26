//go:build amd64 && !purego

package gemm

import "github.com/fastgo/fastgo/asm/cpu"

// gemmAVX512 is the AVX-512 path: an 8×48 tile (24 ZMM accumulators, 3 vector loads
// and 8 broadcasts per 24 FMAs) with 8/4-row × 48/32/16-column edge kernels. The
// blocking is for Zen 5 (48 KiB L1D, 1 MiB L2 per core): the Ã micro-panel
// (KC·8·4 = 8 KiB) stays in L1, B̃ (KC·NC·4 = 768 KiB) in L2. Measured against
// KC×NC = 384×384, 512×384, 512×576 and 768×240 (same L2 budget), 256×768 was as fast
// on the squares and up to 8% faster on the conv shapes with few rows (m = 64), where
// the wider NC reuses each Ã micro-panel over more tiles; MC = 384 beat 96 and 192
// and tied 768.
var gemmAVX512 = &gemmKernel{tiles: tiles[float32]{
	name: "avx512 8×48",
	mr:   8, nr: 48,
	kc: 256, mc: 384, nc: 768,
	heights: []int{4, 8},
	widths:  []int{16, 32, 48},
	kernels: [][]microKernel{
		{gemmMicroAVX512_4x16, gemmMicroAVX512_4x32, gemmMicroAVX512_4x48},
		{gemmMicroAVX512_8x16, gemmMicroAVX512_8x32, gemmMicroAVX512_8x48},
	},
},
	interleave8: interleave8Fast,
	panels:      panelsFast,
}

// gemmAVX2 is the AVX2+FMA3 path: a 6×16 tile (12 YMM accumulators) with the same
// cache budget.
var gemmAVX2 = func() *gemmKernel {
	g := newGemmKernel("avx2 6×16", 6, 16, 256, 384, 768, gemmMicroAVX2)
	g.interleave8 = interleave8Fast
	g.panels = panelsFast
	return g
}()

var (
	_ = register(cpu.AVX512, gemmAVX512)
	_ = register(cpu.AVX2, gemmAVX2)
)
