package asm

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// benchShape is one GEMM of the benchmark table: C (m×n) = op(A)·op(B) with depth k.
// The table mirrors bench.GemmShapes (the fastgo bench gemm command).
type benchShape struct {
	name    string
	tA, tB  bool
	m, n, k int
}

var benchShapes = []benchShape{
	{"128x128x128", false, false, 128, 128, 128},
	{"256x256x256", false, false, 256, 256, 256},
	{"512x512x512", false, false, 512, 512, 512},
	{"1024x1024x1024", false, false, 1024, 1024, 1024},
	{"2048x2048x2048", false, false, 2048, 2048, 2048},
	{"conv1_64x12544x147", false, false, 64, 12544, 147},
	{"layer1_64x3136x576", false, false, 64, 3136, 576},
	{"layer2_128x784x1152", false, false, 128, 784, 1152},
	{"layer3_256x196x2304", false, false, 256, 196, 2304},
	{"layer4_512x49x4608", false, false, 512, 49, 4608},
	{"wgrad_64x576x3136_NT", false, true, 64, 576, 3136},
	{"igrad_576x3136x64_TN", true, false, 576, 3136, 64},
	{"layer3b_256x3136x2304", false, false, 256, 3136, 2304},
}

// BenchmarkGemm measures Sgemm on every available path and gonum's Sgemm, with 1 and 2
// threads, on square matrices and ResNet34's convolution shapes, in GFLOP/s.
// Select with -bench 'Gemm/isa=avx512/threads=1/1024' etc.
func BenchmarkGemm(b *testing.B) {
	paths := []string{"gonum"}
	for _, isa := range Available() {
		paths = append(paths, isa.String())
	}
	for _, path := range paths {
		for _, th := range []int{1, 2} {
			for _, s := range benchShapes {
				b.Run(fmt.Sprintf("isa=%s/threads=%d/%s", path, th, s.name), func(b *testing.B) {
					benchGemm(b, path, th, s)
				})
			}
		}
	}
}

func benchGemm(b *testing.B, path string, th int, s benchShape) {
	rng := rand.New(rand.NewPCG(1, 2))
	ar, ac := s.m, s.k
	if s.tA {
		ar, ac = ac, ar
	}
	br, bc := s.k, s.n
	if s.tB {
		br, bc = bc, br
	}
	a, bb, c := randView(rng, ar, ac, ac), randView(rng, br, bc, bc), make([]float32, s.m*s.n)
	var run func()
	if path == "gonum" {
		if th != 1 {
			b.Skip("gonum's Sgemm parallelises internally over GOMAXPROCS; measured once")
		}
		tr := func(t bool) blas.Transpose {
			if t {
				return blas.Trans
			}
			return blas.NoTrans
		}
		run = func() {
			gonum.Implementation{}.Sgemm(tr(s.tA), tr(s.tB), s.m, s.n, s.k, 1, a, ac, bb, bc, 0, c, s.n)
		}
	} else {
		isa, err := ParseISA(path)
		if err != nil {
			b.Fatal(err)
		}
		restore, err := Use(isa)
		if err != nil {
			b.Skip(err)
		}
		defer restore()
		prev := int(threads.Load())
		SetThreads(th)
		defer SetThreads(prev)
		run = func() { Sgemm(s.tA, s.tB, s.m, s.n, s.k, 1, a, ac, bb, bc, 0, c, s.n) }
	}
	run() // warm the pools
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		run()
	}
	b.ReportMetric(2*float64(s.m)*float64(s.n)*float64(s.k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}
