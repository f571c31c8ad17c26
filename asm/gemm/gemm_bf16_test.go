package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/internal/kerneltest"
)

// TestBF16Bits checks the rounding on the cases where it can go wrong, against what
// VCVTNEPS2BF16 returned for them on Zen 5 (see bf16.go): ties to even, carries into
// the exponent and to infinity, denormals to signed zero, NaNs quieted (never Inf).
func TestBF16Bits(t *testing.T) {
	cases := []struct {
		in   uint32
		want uint16
	}{
		{0x00000000, 0x0000}, {0x80000000, 0x8000},
		{0x00000001, 0x0000}, {0x007fffff, 0x0000}, {0x80000001, 0x8000}, // denormals
		{0x00800000, 0x0080},                                             // smallest normal
		{0x3f800000, 0x3f80}, {0x3f808000, 0x3f80}, {0x3f818000, 0x3f82}, // ties to even
		{0x3f808001, 0x3f81}, {0x3f80ffff, 0x3f81}, {0x3f807fff, 0x3f80},
		{0x3fff8000, 0x4000},                       // carry into the exponent
		{0x7f7fffff, 0x7f80}, {0xff7fffff, 0xff80}, // overflow to ±Inf
		{0x7f800000, 0x7f80}, {0xff800000, 0xff80}, // ±Inf
		{0x7f800001, 0x7fc0}, {0xff800001, 0xffc0}, // signalling NaNs: quiet, not Inf
		{0x7fffffff, 0x7fff}, {0x7fc00000, 0x7fc0}, // quiet NaNs
	}
	for _, c := range cases {
		if got := BF16Bits(math.Float32frombits(c.in)); got != c.want {
			t.Errorf("BF16Bits(%#08x) = %#04x, want %#04x", c.in, got, c.want)
		}
	}
	// The rounding error is at most half an ulp of bf16: 2⁻⁸ relative for normals.
	rng := rand.New(rand.NewPCG(13, 1))
	for range 100000 {
		x := float32(rng.NormFloat64() * math.Exp2(float64(rng.IntN(60)-30)))
		if d := math.Abs(float64(RoundBF16(x)) - float64(x)); d > math.Abs(float64(x))/256 {
			t.Fatalf("RoundBF16(%g) = %g: error %g above 2⁻⁸ relative", x, RoundBF16(x), d)
		}
	}
}

// specialFloats returns n values mixing ordinary ones with the cases the conversion
// must get right: exact ties, denormals, zeros of both signs, infinities and NaNs.
func specialFloats(rng *rand.Rand, n int) []float32 {
	special := []uint32{0, 0x80000000, 0x00000001, 0x807fffff, 0x3f808000, 0x3f818000,
		0xbf808000, 0x7f7fffff, 0x7f800000, 0xff800000, 0x7f800001, 0xffc00001, 0x00800000}
	x := make([]float32, n)
	for i := range x {
		if rng.IntN(8) == 0 {
			x[i] = math.Float32frombits(special[rng.IntN(len(special))])
		} else {
			x[i] = float32(rng.NormFloat64())
		}
	}
	return x
}

// TestBF16PackKernels compares each path's assembly packing kernels with their Go
// twins bit for bit, special values included, on widths and depths around the
// vector sizes.
func TestBF16PackKernels(t *testing.T) {
	for isa, g := range bf16Kernels {
		if g == nil {
			continue
		}
		t.Run(cpu.ISA(isa).String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(13, 2))
			if g.panels != nil {
				for _, r := range []int{4, 8, 12, 16, 32, 48} {
					for _, kc := range []int{2, 4, 6, 30, 64} {
						for _, np := range []int{1, 3} {
							ld := np*r + rng.IntN(5)
							src := specialFloats(rng, (kc-1)*ld+np*r)
							ps := kc/2*r + 16*rng.IntN(2) // a padded panel stride, as for an odd depth
							got := make([]uint32, np*ps)
							want := make([]uint32, len(got))
							g.panels(got, src, ld, kc, np, r, ps)
							bf16PanelsGeneric(want, src, ld, kc, np, r, ps)
							if i := firstDiff(got, want); i >= 0 {
								t.Fatalf("panels r=%d kc=%d np=%d: word %d = %#08x, want %#08x", r, kc, np, i, got[i], want[i])
							}
						}
					}
				}
			}
			if g.interleave8 != nil {
				for _, r := range []int{4, 8, 12, 16, 48} {
					for _, kc := range []int{16, 32, 48, 64, 272} {
						ld := kc + rng.IntN(5)
						src := specialFloats(rng, 7*ld+kc)
						got := make([]uint32, (kc/2-1)*r+8)
						want := make([]uint32, len(got))
						for i := range got {
							got[i], want[i] = 0xdeadbeef, 0xdeadbeef // untouched words must stay
						}
						if r < 8 {
							continue // 8 rows need r ≥ 8
						}
						g.interleave8(got, src, ld, kc, r)
						bf16Interleave8Generic(want, src, ld, kc, r)
						if i := firstDiff(got, want); i >= 0 {
							t.Fatalf("interleave8 r=%d kc=%d: word %d = %#08x, want %#08x", r, kc, i, got[i], want[i])
						}
					}
				}
			}
		})
	}
}

// firstDiff returns the first index where a and b differ, or -1.
func firstDiff(a, b []uint32) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}

// randPairs returns n packed pairs of bf16-rounded normal values.
func randPairs(rng *rand.Rand, n int) []uint32 {
	x := make([]uint32, n)
	for i := range x {
		x[i] = bf16Pair(float32(rng.NormFloat64()), float32(rng.NormFloat64()))
	}
	return x
}

// TestBF16MicroKernels runs every micro-kernel of every bf16 path against the Go twin
// on the same packed panels: bit for bit with beta = 0 where the instruction rounds
// as the twin does (VDPBF16PS: two fp32 additions, odd product first), within the
// float32 summation bound where it does not (arm64 BFDOT sums its two products with
// round-to-odd first); with beta ≠ 0 the final FMA may round once differently.
func TestBF16MicroKernels(t *testing.T) {
	for isa, g := range bf16Kernels {
		if g == nil {
			continue
		}
		exact := cpu.ISA(isa) != cpu.NEON
		t.Run(cpu.ISA(isa).String(), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(13, 3))
			for hi, h := range g.heights {
				for wi, w := range g.widths {
					for _, kp := range []int{1, 2, 3, 4, 5, 7, 64, 257} {
						for _, beta := range []float32{0, 0.5} {
							a, b := randPairs(rng, kp*h), randPairs(rng, kp*w)
							ldc := w + 3
							c0 := make([]float32, h*ldc)
							for i := range c0 {
								c0[i] = float32(rng.NormFloat64())
							}
							got, want := append([]float32(nil), c0...), append([]float32(nil), c0...)
							g.kernels[hi][wi](kp, a, b, got, ldc, beta)
							bf16MicroGeneric(h, w)(kp, a, b, want, ldc, beta)
							for i := 0; i < h; i++ {
								for j := 0; j < ldc; j++ {
									gv, wv := got[i*ldc+j], want[i*ldc+j]
									if j >= w {
										if gv != c0[i*ldc+j] {
											t.Fatalf("%dx%d kp=%d: wrote c[%d][%d] outside the tile", h, w, kp, i, j)
										}
										continue
									}
									var mag float64
									for q := 0; q < kp; q++ {
										ap, bp := a[q*h+i], b[q*w+j]
										mag += math.Abs(float64(pairLo(ap)*pairLo(bp))) + math.Abs(float64(pairHi(ap)*pairHi(bp)))
									}
									mag += math.Abs(float64(beta * c0[i*ldc+j]))
									ok := math.Float32bits(gv) == math.Float32bits(wv)
									if !ok && (!exact || beta != 0) {
										ok = math.Abs(float64(gv)-float64(wv)) <= 2*kerneltest.Tolerance(2*kp, mag)
									}
									if !ok {
										t.Fatalf("%dx%d kp=%d beta=%g: c[%d][%d] = %g, twin %g", h, w, kp, beta, i, j, gv, wv)
									}
								}
							}
						}
					}
				}
			}
		})
	}
}

// roundedOperands returns a copy of the operands with A (times alpha, as the packing
// folds it) and B rounded to bf16, so that an fp64 GEMM of them is the exact result of
// the products the bf16 GEMM multiplies.
func roundedOperands(cs gemmCase, op operands) (gemmCase, operands) {
	r := op
	r.a = make([]float32, len(op.a))
	for i, v := range op.a {
		r.a[i] = RoundBF16(cs.alpha * v)
	}
	r.b = make([]float32, len(op.b))
	for i, v := range op.b {
		r.b[i] = RoundBF16(v)
	}
	cs.alpha = 1
	return cs, r
}

// bf16Tolerance is the bound on |BF16 − exact fp32-operand result| for one
// element: each operand rounded to bf16 is off by at most 2⁻⁸ of itself (half an ulp
// with 8 significant bits), so each product by at most (2·2⁻⁸ + 2⁻¹⁶)|a||b|; on top
// come the float32 summation (tolerance, with Σ|ã||b̃| ≤ (1+2⁻⁸)²·Σ|a||b|) and the
// smallest normal for flushed denormals.
func bf16Tolerance(k int, mag float64) float64 {
	const rel = 2.0/256 + 1.0/65536
	return rel*mag + kerneltest.Tolerance(k, mag*(1+rel)) + 2e-38
}

// verifyGemmBF16 runs one case of BF16 and checks it (1) against the fp64 product
// of the bf16-rounded operands within the float32 summation bound, which only a
// correct rounding and packing meet, (2) against the fp64 product of the original
// operands within bf16Tolerance, and (3) that nothing outside C's view was written.
func verifyGemmBF16(t *testing.T, cs gemmCase, rng *rand.Rand) {
	t.Helper()
	op := newOperands(cs, rng)
	c, buf := guardedC(cs, op)
	if cs.threads == 0 {
		BF16Serial(cs.tA, cs.tB, cs.m, cs.n, cs.k, cs.alpha, op.a, op.lda, op.b, op.ldb, cs.beta, c, op.ldc)
	} else {
		prevMin := minParallelFlops
		prev := cpu.SetThreads(cs.threads)
		minParallelFlops = 0
		BF16(cs.tA, cs.tB, cs.m, cs.n, cs.k, cs.alpha, op.a, op.lda, op.b, op.ldb, cs.beta, c, op.ldc)
		cpu.SetThreads(prev)
		minParallelFlops = prevMin
	}
	rcs, rop := roundedOperands(cs, op)
	want, mag := refGemm(rcs, rop)
	if msg := compareGemm(cs, c, op.ldc, want, mag, 2); msg != "" {
		t.Fatalf("%v: against the rounded operands: %s", cs, msg)
	}
	want, mag = refGemm(cs, op)
	for i := 0; i < cs.m; i++ {
		for j := 0; j < cs.n; j++ {
			got, w := float64(c[i*op.ldc+j]), want[i*cs.n+j]
			if tol := bf16Tolerance(cs.k, mag[i*cs.n+j]); !(math.Abs(got-w) <= tol) {
				t.Fatalf("%v: C[%d][%d] = %g, want %g within the bf16 bound %.3g", cs, i, j, got, w, tol)
			}
		}
	}
	if msg := checkGuards(cs, buf, op.ldc); msg != "" {
		t.Fatalf("%v: %s", cs, msg)
	}
}

// forEachBF16 runs f on every path, each with its bf16 kernels (the Go twin on paths
// without them).
func forEachBF16(t *testing.T, f func(t *testing.T, g *bf16Kernel)) {
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) { f(t, bf16Active()) })
}

// TestGemmBF16Shapes covers edge sizes in each dimension (around MR, NR, every edge
// kernel size, odd depths and the depth block 2·KC), all four transpose combinations,
// alpha and beta, padded leading dimensions and several goroutines, on every path.
func TestGemmBF16Shapes(t *testing.T) {
	forEachBF16(t, func(t *testing.T, g *bf16Kernel) {
		rng := rand.New(rand.NewPCG(13, 4))
		mn := []int{1, 2, 3, 7, 13, g.mr - 1, g.mr + 1, g.nr - 1, g.nr, g.nr + 1, 2*g.nr + 3}
		for _, s := range append(append([]int(nil), g.heights...), g.widths...) {
			mn = append(mn, s-1, s+1)
		}
		ks := []int{1, 2, 3, 15, 16, 17, 33, 2*g.kc - 1, 2 * g.kc, 2*g.kc + 1, 4*g.kc + 7}
		var cases []gemmCase
		for _, s := range mn {
			if s >= 1 {
				cases = append(cases, gemmCase{m: s, n: 37, k: 29}, gemmCase{m: 23, n: s, k: 35})
			}
		}
		for _, k := range ks {
			cases = append(cases, gemmCase{m: 11, n: g.nr + 5, k: k})
		}
		cases = append(cases, gemmCase{m: 1, n: 1, k: 1}, gemmCase{m: 64, n: 200, k: 67, threads: 2},
			gemmCase{m: 130, n: 50, k: 40, threads: 3})
		for ci, cs := range cases {
			for ti, tr := range allTrans {
				cs.tA, cs.tB = tr[0], tr[1]
				cs.alpha, cs.beta = 1, 0
				if (ci+ti)%2 == 1 {
					cs.alpha, cs.beta = -0.75, 0.5
					cs.padA, cs.padB, cs.padC = 3, 5, 7
				}
				verifyGemmBF16(t, cs, rng)
			}
		}
	})
}

// TestGemmBF16Large runs a GEMM the size of a ResNet convolution's (several blocks in
// every dimension) on every path with bf16 kernels, split over goroutines.
func TestGemmBF16Large(t *testing.T) {
	if testing.Short() {
		t.Skip("large GEMM")
	}
	forEachBF16(t, func(t *testing.T, g *bf16Kernel) {
		if g == bf16Generic && cpu.Active() != cpu.Generic {
			return // the twin is covered once, on the generic path
		}
		rng := rand.New(rand.NewPCG(13, 5))
		for _, tr := range [][2]bool{{false, false}, {true, true}} {
			verifyGemmBF16(t, gemmCase{tA: tr[0], tB: tr[1], m: 2*g.mr + 3, n: g.nc + 61, k: 4*g.kc + 9,
				alpha: 1, beta: 1, threads: 2}, rng)
		}
	})
}

// TestBF16Err checks that BF16Err agrees with the kernels in use.
func TestBF16Err(t *testing.T) {
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		err := BF16Err()
		if (err == nil) != (bf16Kernels[isa] != nil) {
			t.Fatalf("BF16Err() = %v with bf16 kernels %v", err, bf16Kernels[isa] != nil)
		}
		if err == nil && BF16Path() == bf16Generic.name {
			t.Fatalf("no error but the path is the Go twin")
		}
		t.Log(fmt.Sprint(err), BF16Path())
	})
}

// BenchmarkGemmBF16 times BF16Serial against SgemmSerial (one thread) on square
// matrices and on ResNet34 convolution GEMMs (forward of layer1, layer3, layer4 at
// batch 16: M = Cout, N = N·Ho·Wo, K = Cin·9), alternating the two in one run;
// compare the GFLOP/s of each pair.
func BenchmarkGemmBF16(b *testing.B) {
	for _, s := range []struct {
		name    string
		m, n, k int
	}{{"1024cube", 1024, 1024, 1024}, {"layer1", 64, 50176, 576}, {"layer3", 256, 3136, 2304}, {"layer4", 512, 784, 4608}} {
		rng := rand.New(rand.NewPCG(1, 2))
		a, bb := kerneltest.RandView(rng, s.m, s.k, s.k), kerneltest.RandView(rng, s.k, s.n, s.n)
		c := make([]float32, s.m*s.n)
		flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
		for _, prec := range []string{"fp32", "bf16"} {
			b.Run(s.name+"/"+prec, func(b *testing.B) {
				for range b.N {
					if prec == "bf16" {
						BF16Serial(false, false, s.m, s.n, s.k, 1, a, s.k, bb, s.n, 0, c, s.n)
					} else {
						SgemmSerial(false, false, s.m, s.n, s.k, 1, a, s.k, bb, s.n, 0, c, s.n)
					}
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
