package gemm

import (
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/internal/kerneltest"
	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"
)

// edgeSizes are the dimensions where blocking goes wrong: tiny, primes, and one either
// side of the installed kernel's MR, NR, KC and each edge-kernel size.
func edgeSizes(g *gemmKernel) (mn, k []int) {
	mn = []int{1, 2, 3, 5, 7, 13, 31, g.mr - 1, g.mr, g.mr + 1, g.nr - 1, g.nr, g.nr + 1, 2*g.nr + 3}
	for _, s := range append(slices.Clone(g.heights), g.widths...) {
		mn = append(mn, s-1, s+1, g.nr+s-1, g.nr+s+1)
	}
	k = []int{1, 2, 3, 7, 17, g.kc - 1, g.kc, g.kc + 1, 2*g.kc + 5}
	clean := func(s []int) []int {
		s = slices.DeleteFunc(s, func(x int) bool { return x < 1 })
		slices.Sort(s)
		return slices.Compact(s)
	}
	return clean(mn), clean(k)
}

// TestSgemmShapes covers every edge size in each dimension with all four transpose
// combinations, on every path, alternating beta = 0 (C pre-filled with NaN) with
// beta ≠ 0 and plain with padded leading dimensions.
func TestSgemmShapes(t *testing.T) {
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(1, uint64(isa)))
		mn, ks := edgeSizes(cur)
		var cases []gemmCase
		for _, s := range mn {
			cases = append(cases, gemmCase{m: s, n: 37, k: 29}, gemmCase{m: 23, n: s, k: 19})
		}
		for _, s := range ks {
			cases = append(cases, gemmCase{m: 11, n: 2*cur.nr + 5, k: s})
		}
		cases = append(cases, gemmCase{m: 1, n: 1, k: 1}, gemmCase{m: 2, n: 3, k: 1})
		for ci, cs := range cases {
			for ti, tr := range allTrans {
				cs.tA, cs.tB = tr[0], tr[1]
				cs.alpha, cs.beta = 1.5, 0
				if (ci+ti)%2 == 1 {
					cs.alpha, cs.beta = -0.75, 0.5
					cs.padA, cs.padB, cs.padC = 3, 5, 7
				}
				verifyGemm(t, cs, rng)
			}
		}
	})
}

// TestSgemmAlphaBeta covers the scalar special cases: alpha = 0 (A and B not used,
// C scaled or zeroed), beta = 0 with NaN in C, beta = 1, negative values.
func TestSgemmAlphaBeta(t *testing.T) {
	scalars := [][2]float32{{1, 0}, {1, 1}, {-0.5, 2}, {2.5, 0}, {0.75, -1.25}, {0, 0}, {0, 2}, {0, 1}}
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(2, uint64(isa)))
		for _, ab := range scalars {
			for _, tr := range allTrans {
				cs := gemmCase{tA: tr[0], tB: tr[1], m: 19, n: 53, k: 41, alpha: ab[0], beta: ab[1], padC: 2}
				verifyGemm(t, cs, rng)
			}
		}
		// k = 0 makes C = beta·C as in BLAS.
		c := []float32{float32(math.NaN()), 1, 2, 3}
		Sgemm(false, false, 2, 2, 0, 1, nil, 1, nil, 2, 0, c, 2)
		if !slices.Equal(c, []float32{0, 0, 0, 0}) {
			t.Errorf("k=0 beta=0: C = %v, want zeros", c)
		}
	})
}

// TestSgemmLarge runs a few shapes with a dimension over 1000, the transposed
// formulation (small n) and the ResNet34 shapes scaled down, single- and
// multi-threaded (3 threads on 2 cores exercises uneven splits).
func TestSgemmLarge(t *testing.T) {
	shapes := [][3]int{{1031, 67, 45}, {45, 1031, 67}, {67, 45, 1031}, {1009, 1013, 3},
		{512, 49, 97}, {64, 784, 147}, {96, 120, 600}}
	if testing.Short() {
		shapes = shapes[:3]
	}
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(3, uint64(isa)))
		for si, s := range shapes {
			for ti, tr := range allTrans {
				cs := gemmCase{tA: tr[0], tB: tr[1], m: s[0], n: s[1], k: s[2], alpha: 1, beta: 0,
					padA: 1, padB: 2, padC: 3, threads: (si + ti) % 4}
				if ti%2 == 1 {
					cs.beta = 0.25
				}
				verifyGemm(t, cs, rng)
			}
		}
	})
}

// TestSgemmAgainstTwins compares every path with gonum's Sgemm and with the pure-Go
// twin on random shapes. Both comparisons are between two float32 computations, so
// the tolerance is twice the one against the float64 reference.
func TestSgemmAgainstTwins(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	var cases []gemmCase
	for range 24 {
		cases = append(cases, gemmCase{
			tA: rng.IntN(2) == 1, tB: rng.IntN(2) == 1,
			m: 1 + rng.IntN(90), n: 1 + rng.IntN(130), k: 1 + rng.IntN(300),
			alpha: float32(rng.IntN(5)) - 2, beta: float32(rng.IntN(3)) / 2,
			padA: rng.IntN(3), padB: rng.IntN(3), padC: rng.IntN(3), threads: rng.IntN(3),
		})
	}
	twins := map[string]func(cs gemmCase, op operands) []float32{
		"gonum": func(cs gemmCase, op operands) []float32 {
			c := slices.Clone(op.c0)
			tr := func(b bool) blas.Transpose {
				if b {
					return blas.Trans
				}
				return blas.NoTrans
			}
			gonum.Implementation{}.Sgemm(tr(cs.tA), tr(cs.tB), cs.m, cs.n, cs.k, cs.alpha,
				op.a, op.lda, op.b, op.ldb, cs.beta, c, op.ldc)
			return c
		},
		"generic": func(cs gemmCase, op operands) []float32 {
			restore, _ := cpu.Use(cpu.Generic)
			defer restore()
			c, _ := runSgemm(cs, op)
			return c
		},
	}
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		for _, cs := range cases {
			op := newOperands(cs, rng)
			got, _ := runSgemm(cs, op)
			_, mag := refGemm(cs, op)
			for name, twin := range twins {
				w := twin(cs, op)
				want := make([]float64, cs.m*cs.n)
				for i := range cs.m {
					for j := range cs.n {
						want[i*cs.n+j] = float64(w[i*op.ldc+j])
					}
				}
				if msg := compareGemm(cs, got, op.ldc, want, mag, 2); msg != "" {
					t.Fatalf("%v against %s: %s", cs, name, msg)
				}
			}
		}
	})
}

// TestMicroKernels checks each path's micro-kernels (the main one and every edge
// variant) alone on one full tile against the loop in microKernel's doc, with C at a
// padded stride inside guard bands.
func TestMicroKernels(t *testing.T) {
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		g := cur
		if g.mc%g.mr != 0 || g.nc%g.nr != 0 || g.kc < 1 {
			t.Fatalf("%s: blocking MC=%d NC=%d KC=%d must be multiples of MR=%d, NR=%d", g.name, g.mc, g.nc, g.kc, g.mr, g.nr)
		}
		if g.heights[len(g.heights)-1] != g.mr || g.widths[len(g.widths)-1] != g.nr || len(g.kernels) != len(g.heights) {
			t.Fatalf("%s: edge sizes %v×%v do not end with MR×NR %d×%d", g.name, g.heights, g.widths, g.mr, g.nr)
		}
		rng := rand.New(rand.NewPCG(5, uint64(isa)))
		for hi, h := range g.heights {
			for wi, w := range g.widths {
				for _, k := range []int{1, 2, 3, 4, 5, 8, 9, 33, 256} {
					for _, beta := range []float32{0, 1, -0.5} {
						if msg := checkMicro(g.kernels[hi][wi], h, w, k, beta, rng); msg != "" {
							t.Fatalf("%s %d×%d kernel, k=%d beta=%g: %s", g.name, h, w, k, beta, msg)
						}
					}
				}
			}
		}
	})
}

// checkMicro runs one h×w micro-kernel on random panels and reports a wrong element or
// a write outside the tile.
func checkMicro(kern microKernel, h, w, k int, beta float32, rng *rand.Rand) string {
	a := kerneltest.RandView(rng, 1, k*h, k*h)
	b := kerneltest.RandView(rng, 1, k*w, k*w)
	cs := gemmCase{m: h, n: w, k: k, alpha: 1, beta: beta, padC: 3}
	ldc := w + 3
	c0 := kerneltest.RandView(rng, h, w, ldc)
	buf := make([]float32, kerneltest.Guard+len(c0)+kerneltest.Guard)
	for i := range buf {
		buf[i] = kerneltest.Sentinel
	}
	c := buf[kerneltest.Guard : kerneltest.Guard+len(c0)]
	for i, v := range c0 {
		if i%ldc < w {
			c[i] = v
			if beta == 0 {
				c[i] = float32(math.NaN())
			}
		}
	}
	kern(k, a, b, c, ldc, beta)
	want := make([]float64, h*w)
	mag := make([]float64, h*w)
	for i := range h {
		for j := range w {
			var s, sa float64
			for p := range k {
				x := float64(a[p*h+i]) * float64(b[p*w+j])
				s, sa = s+x, sa+math.Abs(x)
			}
			if beta != 0 {
				cv := float64(beta) * float64(c0[i*ldc+j])
				s, sa = s+cv, sa+math.Abs(cv)
			}
			want[i*w+j], mag[i*w+j] = s, sa
		}
	}
	if msg := compareGemm(cs, c, ldc, want, mag, 1); msg != "" {
		return msg
	}
	return checkGuards(cs, buf, ldc)
}

// TestSgemmPanics checks that a slice too short for its dimensions is a programming
// error reported with the sizes, never a silent out-of-bounds access.
func TestSgemmPanics(t *testing.T) {
	cases := []struct {
		name string
		f    func()
		want string
	}{
		{"short A", func() {
			Sgemm(false, false, 2, 2, 2, 1, make([]float32, 3), 2, make([]float32, 4), 2, 0, make([]float32, 4), 2)
		}, "A is 2×2"},
		{"short C", func() {
			Sgemm(false, false, 2, 2, 2, 1, make([]float32, 4), 2, make([]float32, 4), 2, 0, make([]float32, 3), 2)
		}, "C is 2×2"},
		{"small ldb", func() {
			Sgemm(false, true, 2, 3, 2, 1, make([]float32, 4), 2, make([]float32, 6), 1, 0, make([]float32, 6), 3)
		}, "ldB=1 < 2"},
		{"negative", func() { SgemmSerial(false, false, -1, 2, 2, 1, nil, 2, nil, 2, 0, nil, 2) }, "negative size"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, tc.want) {
					t.Fatalf("panic %v, want a message containing %q", r, tc.want)
				}
			}()
			tc.f()
		})
	}
}

// TestRequireISA fails when a path listed in FASTGO_TEST_REQUIRE_SIMD (comma separated)
// cannot run here, and when FASTGO_SIMD names a path that is not the active one. CI
// sets them to prove which kernels its runs exercised.
func TestRequireISA(t *testing.T) {
	t.Logf("cpu %q: available %v, active %v", cpu.CPUName(), cpu.Available(), cpu.Active())
	if env := os.Getenv("FASTGO_TEST_REQUIRE_SIMD"); env != "" {
		for _, name := range strings.Split(env, ",") {
			isa, err := cpu.ParseISA(name)
			if err != nil {
				t.Fatalf("FASTGO_TEST_REQUIRE_SIMD: %v", err)
			}
			if !cpu.Supported(isa) {
				t.Errorf("FASTGO_TEST_REQUIRE_SIMD requires %v, but this CPU/build offers only %v", isa, cpu.Available())
			}
		}
	}
	if env := os.Getenv("FASTGO_SIMD"); env != "" && cpu.ForcedErr() == nil {
		isa, _ := cpu.ParseISA(env)
		if cpu.Active() != isa || kernels[isa] == nil || cur != kernels[isa] {
			t.Errorf("FASTGO_SIMD=%s but the active path is %v", env, cpu.Active())
		}
	}
}

// TestInterleave8 checks each path's 8-row packing kernel against interleave8Generic
// for depths around its 8-wide blocks, strides and alpha, with guard bands.
func TestInterleave8(t *testing.T) {
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		il8 := cur.interleave8
		rng := rand.New(rand.NewPCG(6, uint64(isa)))
		for _, kc := range []int{1, 7, 8, 9, 16, 23, 64, 385} {
			for _, r := range []int{8, 16, 48} {
				for _, alpha := range []float32{1, -1.5} {
					ld := kc + rng.IntN(5)
					src := kerneltest.RandView(rng, 8, kc, ld)
					want := make([]float32, kc*r+2*kerneltest.Guard)
					got := make([]float32, kc*r+2*kerneltest.Guard)
					for i := range got {
						got[i], want[i] = kerneltest.Sentinel, kerneltest.Sentinel
					}
					interleave8Generic(want[kerneltest.Guard:], src, ld, kc, r, alpha)
					il8(got[kerneltest.Guard:], src, ld, kc, r, alpha)
					for i := range got {
						if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
							t.Fatalf("kc=%d r=%d alpha=%g: element %d = %g, want %g", kc, r, alpha, i-kerneltest.Guard, got[i], want[i])
						}
					}
				}
			}
		}
	})
}

// TestPanels checks each path's contiguous packing kernel against panelsGeneric for
// several widths, panel counts and strides, with guard bands.
func TestPanels(t *testing.T) {
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		pk := cur.panels
		rng := rand.New(rand.NewPCG(9, uint64(isa)))
		for _, kc := range []int{1, 2, 7, 64} {
			for _, r := range []int{4, 6, 8, 12, 16, 48} {
				for _, np := range []int{1, 3} {
					for _, alpha := range []float32{1, 0.5} {
						ld := np*r + rng.IntN(9)
						src := kerneltest.RandView(rng, kc, np*r, ld)
						want := make([]float32, np*kc*r+2*kerneltest.Guard)
						got := make([]float32, np*kc*r+2*kerneltest.Guard)
						for i := range got {
							got[i], want[i] = kerneltest.Sentinel, kerneltest.Sentinel
						}
						panelsGeneric(want[kerneltest.Guard:kerneltest.Guard+np*kc*r], src, ld, kc, np, r, alpha)
						pk(got[kerneltest.Guard:kerneltest.Guard+np*kc*r], src, ld, kc, np, r, alpha)
						for i := range got {
							if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
								t.Fatalf("kc=%d r=%d np=%d alpha=%g: element %d = %g, want %g", kc, r, np, alpha, i-kerneltest.Guard, got[i], want[i])
							}
						}
					}
				}
			}
		}
	})
}

// TestSgemmConcurrent runs GEMMs from several goroutines at once, as convolution
// layers do when they split their columns, so that the shared workspace free list is
// exercised; every result is checked against the reference. The shapes are above
// minParallelFlops, so that the Sgemm cases also split (with GOMAXPROCS > 1).
func TestSgemmConcurrent(t *testing.T) {
	const workers = 6
	errs := make(chan string, workers)
	for w := range workers {
		go func() {
			rng := rand.New(rand.NewPCG(10, uint64(w)))
			cs := gemmCase{m: 80 + w, n: 200 + 7*w, k: 300, alpha: 1, beta: 0.5, tB: w%2 == 1, threads: w % 3}
			if 2*float64(cs.m)*float64(cs.n)*float64(cs.k) < minParallelFlops {
				errs <- cs.String() + ": below minParallelFlops, Sgemm would not split"
				return
			}
			op := newOperands(cs, rng)
			c, buf := runSgemmConcurrent(cs, op)
			want, mag := refGemm(cs, op)
			msg := compareGemm(cs, c, op.ldc, want, mag, 1)
			if msg == "" {
				msg = checkGuards(cs, buf, op.ldc)
			}
			errs <- msg
		}()
	}
	for range workers {
		if msg := <-errs; msg != "" {
			t.Error(msg)
		}
	}
}

// runSgemmConcurrent is runSgemm without touching the global thread setting or
// minParallelFlops, which other goroutines read at the same time: threads == 0 runs
// SgemmSerial, any other value Sgemm on Threads() goroutines.
func runSgemmConcurrent(cs gemmCase, op operands) (c, buf []float32) {
	c, buf = guardedC(cs, op)
	if cs.threads == 0 {
		SgemmSerial(cs.tA, cs.tB, cs.m, cs.n, cs.k, cs.alpha, op.a, op.lda, op.b, op.ldb, cs.beta, c, op.ldc)
	} else {
		Sgemm(cs.tA, cs.tB, cs.m, cs.n, cs.k, cs.alpha, op.a, op.lda, op.b, op.ldb, cs.beta, c, op.ldc)
	}
	return c, buf
}
