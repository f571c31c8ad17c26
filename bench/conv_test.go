package bench

import (
	"fmt"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/tensor"
)

func rms(x []float32) (s float64) {
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return s / float64(max(len(x), 1))
}

// BenchmarkConv2d measures every distinct ResNet34 convolution at batch Batch()
// (FASTGO_BENCH_BATCH, default 16): forward, input gradient and weight gradient, each
// beside the GEMM alone for the same shape on the same path and thread count, in
// GFLOP/s. Select with e.g. -bench 'Conv2d/isa=avx512/threads=2/l1_'.
func BenchmarkConv2d(b *testing.B) {
	batch := Batch()
	for _, isa := range cpu.Available() {
		for _, th := range []int{1, 2} {
			for _, l := range ResNet34Convs() {
				b.Run(fmt.Sprintf("isa=%s/threads=%d/%s", isa, th, l.Name), func(b *testing.B) {
					restore, err := cpu.Use(isa)
					if err != nil {
						b.Skip(err)
					}
					defer restore()
					oldT := cpu.Threads()
					cpu.SetThreads(th)
					defer cpu.SetThreads(oldT)
					c, err := NewConvCase(l, batch)
					if err != nil {
						b.Fatal(err)
					}
					ops := []struct {
						name string
						f    func()
					}{
						{"fwd", c.Forward}, {"gemm-fwd", c.GemmForward},
						{"bwd-input", c.InputGrad}, {"gemm-bwd-input", c.GemmInputGrad},
						{"bwd-weight", c.WeightGrad}, {"gemm-bwd-weight", c.GemmWeightGrad},
					}
					for _, op := range ops {
						if op.name == "bwd-input" && !l.NeedsInputGrad {
							continue
						}
						b.Run(op.name, func(b *testing.B) {
							op.f()
							b.ResetTimer()
							for i := 0; i < b.N; i++ {
								op.f()
							}
							b.ReportMetric(c.Flops()*float64(b.N)/float64(b.Elapsed().Nanoseconds()), "GFLOP/s")
						})
					}
				})
			}
		}
	}
}

// BenchmarkLayers measures ReLU, batch norm and max pooling on ResNet34's stem
// activation [64, batch, 112, 112] in GB/s of unavoidable traffic, beside a plain copy.
func BenchmarkLayers(b *testing.B) {
	batch := Batch()
	for _, th := range []int{1, 2} {
		b.Run(fmt.Sprintf("threads=%d", th), func(b *testing.B) {
			oldT := cpu.Threads()
			cpu.SetThreads(th)
			defer cpu.SetThreads(oldT)
			for _, op := range LayerOps(64, batch, 112, 112) {
				b.Run(op.Name, func(b *testing.B) {
					op.Run()
					b.SetBytes(int64(op.Bytes))
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						op.Run()
					}
				})
			}
		})
	}
}

// TestConvCasesRun runs every benchmark case once at batch 1, so the benchmark code is
// exercised by go test, and checks that each produced finite, non-zero results.
func TestConvCasesRun(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates ~120 MB")
	}
	for _, l := range ResNet34Convs() {
		c, err := NewConvCase(l, 1)
		if err != nil {
			t.Fatal(err)
		}
		c.Forward()
		c.InputGrad()
		c.WeightGrad()
		for name, x := range map[string]*tensor.Tensor{"y": c.y, "dx": c.dx, "dw": c.dw} {
			if !x.AllFinite() || rms(x.Data()) == 0 {
				t.Errorf("%s: %s is not finite and non-zero", l.Name, name)
			}
		}
		if c.Flops() <= 0 {
			t.Errorf("%s: flops %v", l.Name, c.Flops())
		}
	}
	ops := LayerOps(4, 2, 16, 16)
	for _, op := range ops {
		op.Run()
		if op.Bytes <= 0 {
			t.Errorf("%s: %v bytes", op.Name, op.Bytes)
		}
	}
}
