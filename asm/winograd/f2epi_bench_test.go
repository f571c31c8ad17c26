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
// rows): OutputF2ReLU prefetching the next channel itself (next), OutputF2ReLU after
// vec.Prefetch of the next channel's rows and residual, and OutputF2 and a pass
// (bn.ApplyAddReLU) over each channel's rows after vec.Prefetch: the output transform
// alone, without the GEMMs around it, in interleaved rounds (best and median of 31).
// "memory": batch 16, the outputs and the residual far beyond the caches; "cache":
// one chunk's outputs and residual (229 KiB) 20 times over. Measured (AVX-512, shared
// machine), best: memory 1.49, 1.68, 1.94 ms and 1.45, 1.69, 1.82; cache 167, 194,
// 199 µs and 159, 188, 187. Before the kernel loaded the residual unmasked where the
// mask is whole, the pass led the vec.Prefetch variant in memory by 6–10% (1.54/1.47,
// 1.59/1.45, 1.43/1.34; prefetching two channels ahead did not change it); masked
// loads that miss the cache are slow.
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
	// variant 0: fused, the kernel prefetching the next channel (next = p); 1: fused,
	// vec.Prefetch of the next channel's rows before each call; 2: the pass, likewise.
	run := func(variant int) {
		for range repeat {
			for k := 0; k < chunks; k++ {
				q0 := k * rowsPer
				at := q0/th*plane + 2*(q0%th)*hw
				for co := 0; co < cout; co++ {
					if variant > 0 && co+1 < cout {
						vec.Prefetch(y[(co+1)*p+at : (co+1)*p+at+cnt])
						vec.Prefetch(res[(co+1)*p+at : (co+1)*p+at+cnt])
					}
					yc, rc, mc := y[co*p+at:], res[co*p+at:], m[co*16*tc:]
					switch variant {
					case 0:
						next := 0
						if co+1 < cout {
							next = p
						}
						OutputF2ReLU(yc, hw, 2*rowsPer, hw, mc, tc, tw, 0.1, rc, next)
					case 1:
						OutputF2ReLU(yc, hw, 2*rowsPer, hw, mc, tc, tw, 0.1, rc, 0)
					default:
						OutputF2(yc, hw, 2*rowsPer, hw, mc, tc, tw, 0, false, 0)
						bn.ApplyAddReLU(yc[:cnt], yc[:cnt], rc[:cnt], 1, 0.1)
					}
				}
			}
		}
	}
	names := []string{"fused", "fused, vec.Prefetch", "pass"}
	ts := make([][]time.Duration, len(names))
	for r := 0; r < 31; r++ {
		for k := range names {
			t0 := time.Now()
			run(k)
			ts[k] = append(ts[k], time.Since(t0))
		}
	}
	for k, name := range names {
		slices.Sort(ts[k])
		b.Logf("%-20s best %v median %v", name, ts[k][0], ts[k][len(ts[k])/2])
	}
}
