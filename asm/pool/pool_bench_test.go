package pool

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/internal/kerneltest"
)

// BenchmarkMaxPool3s2 pools ResNet's stem activation planes (112×112 → 56×56) on
// every path: one plane over and over (in L1/L2: the kernel's compute rate) and 1024
// planes in turn (from memory), reporting the input bytes read per second.
func BenchmarkMaxPool3s2(b *testing.B) {
	const h, w = 112, 112
	for _, isa := range cpu.Available() {
		for _, planes := range []int{1, 1024} {
			b.Run(fmt.Sprintf("isa=%v/planes=%d", isa, planes), func(b *testing.B) {
				restore, err := cpu.Use(isa)
				if err != nil {
					b.Skip(err)
				}
				defer restore()
				rng := rand.New(rand.NewPCG(1, 2))
				x := kerneltest.RandView(rng, 1, planes*h*w, planes*h*w)
				y, idx := make([]float32, planes*56*56), make([]int32, planes*56*56)
				for i := range y {
					y[i], idx[i] = 1, 1 // fault the pages in before timing
				}
				b.SetBytes(int64(4 * h * w))
				b.ResetTimer()
				b.ReportAllocs()
				q := 0
				for range b.N {
					xp, yp, ip := x[q*h*w:(q+1)*h*w], y[q*56*56:(q+1)*56*56], idx[q*56*56:(q+1)*56*56]
					MaxPool3s2(yp, ip, xp, h, w)
					if q++; q == planes {
						q = 0
					}
				}
			})
		}
	}
}
