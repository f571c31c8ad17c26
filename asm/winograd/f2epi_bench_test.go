package winograd

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/fastgo/fastgo/asm/bn"
	"github.com/fastgo/fastgo/asm/vec"
)

// BenchmarkOutputF2Epilogue times the output section of the bf16 F(2×2) forward of
// ResNet34's layer1 in inference form (64 channels, 56×56 images, chunks of 4 tile
// rows, the next channel's rows and residual prefetched), fused (OutputF2ReLU)
// against OutputF2 and a pass (bn.ApplyAddReLU) over each channel's rows: the output
// transform alone, without the GEMMs around it, in interleaved rounds (best and
// median of 31). "memory": batch 16, the outputs and the residual far beyond the
// caches; "cache": one chunk's outputs and residual (229 KiB) 20 times over. Measured
// (AVX-512, shared machine), fused/pass: memory 1.54/1.47, 1.59/1.45, 1.55/1.58,
// 1.43/1.34 ms best (medians 2.09/1.80, 2.02/1.86, 1.93/2.01, 1.58/1.49) with the
// residual loaded under masks, the pass a little ahead (prefetching the residual two
// channels ahead did not change that, 1.45/1.28, 1.50/1.35); loaded whole where the
// mask is (as the kernel now does), 1.66/1.72, 1.50/1.49, 1.52/1.47 (medians
// 2.58/2.74, 1.64/1.68, 1.74/1.64): equal, bound by the memory traffic; cache 149/161,
// 152/163, 129/156, 124/151 µs best (the pass's loads and stores of the rows saved).
// Within the convolution, between the GEMMs, the two measured equal (see
// tensor/functional's wino2FuseEpilogue).
func BenchmarkOutputF2Epilogue(b *testing.B) {
	for _, mode := range []struct {
		name      string
		n, repeat int
	}{{"memory", 16, 1}, {"cache", 0, 20}} {
		b.Run(mode.name, func(b *testing.B) { benchOutputF2Epilogue(b, mode.n, mode.repeat) })
	}
}

// benchOutputF2Epilogue runs BenchmarkOutputF2Epilogue's rounds on n images (n = 0:
// one chunk, the channels' rows side by side), repeat times a round.
func benchOutputF2Epilogue(b *testing.B, n, repeat int) {
	const cout, hw, tw, rowsPer = 64, 56, 28, 4
	const th, plane, cnt = hw / 2, hw * hw, 2 * rowsPer * hw
	p, chunks := n*plane, n*th/rowsPer
	if n == 0 {
		p, chunks = cnt, 1
	}
	tc := (rowsPer*tw + 15) &^ 15
	rng := rand.New(rand.NewPCG(1, 2))
	m := make([]float32, 16*cout*tc)
	for i := range m {
		m[i] = rng.Float32() - 0.5
	}
	y, res := make([]float32, cout*p), make([]float32, cout*p)
	for i := range res {
		res[i] = rng.Float32() - 0.5
	}
	run := func(fused bool) {
		for range repeat {
			for k := 0; k < chunks; k++ {
				q0 := k * rowsPer
				at := q0/th*plane + 2*(q0%th)*hw
				for co := 0; co < cout; co++ {
					if co+1 < cout {
						vec.Prefetch(y[(co+1)*p+at : (co+1)*p+at+cnt])
						vec.Prefetch(res[(co+1)*p+at : (co+1)*p+at+cnt])
					}
					yc, rc, mc := y[co*p+at:], res[co*p+at:], m[co*16*tc:]
					if fused {
						OutputF2ReLU(yc, hw, 2*rowsPer, hw, mc, tc, tw, 0.1, rc)
						continue
					}
					OutputF2(yc, hw, 2*rowsPer, hw, mc, tc, tw, 0, false)
					bn.ApplyAddReLU(yc[:cnt], yc[:cnt], rc[:cnt], 1, 0.1)
				}
			}
		}
	}
	var ts [2][]time.Duration
	for r := 0; r < 31; r++ {
		for k, fused := range []bool{true, false} {
			t0 := time.Now()
			run(fused)
			ts[k] = append(ts[k], time.Since(t0))
		}
	}
	for k, name := range []string{"fused", "pass"} {
		slices.Sort(ts[k])
		b.Logf("%-6s best %v median %v", name, ts[k][0], ts[k][len(ts[k])/2])
	}
}
