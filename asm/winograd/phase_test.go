package winograd

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/internal/kerneltest"
)

// PhaseRow on every path deals the padded row into its phases bit for bit (it only
// moves values; ±0 and ±Inf among them) and writes nothing but the cnt entries of each phase: row widths from 1 to
// past several 64-column blocks, paddings 0–3, entry counts short of the row, ending
// inside it, at it and far past it, and phase strides with room between the phases.
func TestPhaseRow(t *testing.T) {
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(7, 8))
		for _, w := range []int{1, 2, 3, 4, 5, 7, 13, 14, 17, 28, 56, 63, 64, 65, 100, 131, 227} {
			for pad := 0; pad <= 3; pad++ {
				full := (w + pad + 3) / 4
				for _, cnt := range []int{1, 2, 3, full - 1, full, full + 1, full + 17, 40} {
					if cnt < 1 {
						continue
					}
					for _, gap := range []int{0, 1, 5} {
						stride := cnt + gap
						srcOff, dstOff := rng.IntN(16), rng.IntN(16)
						srcBuf, src := kerneltest.Guarded(rng, w, srcOff, true)
						dstBuf, dst := kerneltest.Guarded(rng, 3*stride+cnt, dstOff, false)
						old := append([]float32(nil), dst...)
						PhaseRow(dst, stride, cnt, src, pad)
						for i := range dst {
							r, tt := i/stride, i%stride
							want := old[i]
							if tt < cnt {
								want = 0
								if c := 4*tt + r - pad; c >= 0 && c < w {
									want = src[c]
								}
							}
							if math.Float32bits(dst[i]) != math.Float32bits(want) {
								t.Fatalf("w=%d pad=%d cnt=%d stride=%d: phase %d entry %d = %v, want %v",
									w, pad, cnt, stride, r, tt, dst[i], want)
							}
						}
						if err := kerneltest.CheckFrame(dstBuf, dstOff, len(dst)); err != nil {
							t.Fatalf("w=%d pad=%d cnt=%d stride=%d: dst %v", w, pad, cnt, stride, err)
						}
						if err := kerneltest.CheckFrame(srcBuf, srcOff, len(src)); err != nil {
							t.Fatalf("w=%d pad=%d cnt=%d stride=%d: src %v", w, pad, cnt, stride, err)
						}
					}
				}
			}
		}
	})
}
