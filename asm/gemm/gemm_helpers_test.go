package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/internal/kerneltest"
)

// gemmCase is one Sgemm call: shape, transposes, scalars and the padding added to each
// leading dimension (a sub-matrix view of a wider matrix).
type gemmCase struct {
	tA, tB      bool
	m, n, k     int
	alpha, beta float32
	padA, padB  int
	padC        int
	threads     int // 0: SgemmSerial; otherwise Sgemm (runSgemm: with SetThreads(threads), split however small)
}

func (c gemmCase) String() string {
	t := func(b bool) string {
		if b {
			return "T"
		}
		return "N"
	}
	return fmt.Sprintf("%s%s/m=%d,n=%d,k=%d/alpha=%g,beta=%g/pad=%d,%d,%d/threads=%d",
		t(c.tA), t(c.tB), c.m, c.n, c.k, c.alpha, c.beta, c.padA, c.padB, c.padC, c.threads)
}

// operands holds the inputs of one case. Padding elements of A and B (columns past the
// view) are NaN, so a kernel that reads them poisons its result.
type operands struct {
	a, b, c0 []float32
	lda, ldb int
	ldc      int
}

func newOperands(cs gemmCase, rng *rand.Rand) operands {
	ar, ac := cs.m, cs.k
	if cs.tA {
		ar, ac = cs.k, cs.m
	}
	br, bc := cs.k, cs.n
	if cs.tB {
		br, bc = cs.n, cs.k
	}
	op := operands{lda: ac + cs.padA, ldb: bc + cs.padB, ldc: cs.n + cs.padC}
	op.a = kerneltest.RandView(rng, ar, ac, op.lda)
	op.b = kerneltest.RandView(rng, br, bc, op.ldb)
	op.c0 = kerneltest.RandView(rng, cs.m, cs.n, op.ldc)
	return op
}

// runSgemm calls the API under test on a copy of C framed by guard bands (guardedC)
// and returns the view (guards stripped) plus the full guarded buffer.
func runSgemm(cs gemmCase, op operands) (c, buf []float32) {
	c, buf = guardedC(cs, op)
	if cs.threads == 0 {
		SgemmSerial(cs.tA, cs.tB, cs.m, cs.n, cs.k, cs.alpha, op.a, op.lda, op.b, op.ldb, cs.beta, c, op.ldc)
	} else {
		// Split even small problems, so that every case exercises the strips.
		prevMin := minParallelFlops
		prev := cpu.SetThreads(cs.threads)
		minParallelFlops = 0
		Sgemm(cs.tA, cs.tB, cs.m, cs.n, cs.k, cs.alpha, op.a, op.lda, op.b, op.ldb, cs.beta, c, op.ldc)
		cpu.SetThreads(prev)
		minParallelFlops = prevMin
	}
	return c, buf
}

// guardedC returns a copy of C's view, c, inside buf, framed by guard bands and with
// sentinels in its padding columns. With beta == 0, c starts as NaN so that reading it
// would show.
func guardedC(cs gemmCase, op operands) (c, buf []float32) {
	buf = make([]float32, kerneltest.Guard+len(op.c0)+kerneltest.Guard)
	for i := range buf {
		buf[i] = kerneltest.Sentinel
	}
	c = buf[kerneltest.Guard : kerneltest.Guard+len(op.c0)]
	for i, v := range op.c0 {
		if i%op.ldc < cs.n {
			if cs.beta == 0 {
				c[i] = float32(math.NaN())
			} else {
				c[i] = v
			}
		}
	}
	return c, buf
}

// refGemm returns C = alpha·op(A)·op(B) + beta·C0 in float64, and for each element the
// magnitude |alpha|·Σ|a||b| + |beta·c0| that its rounding error scales with.
func refGemm(cs gemmCase, op operands) (want, mag []float64) {
	want = make([]float64, cs.m*cs.n)
	mag = make([]float64, cs.m*cs.n)
	at := func(i, p int) float64 {
		if cs.tA {
			return float64(op.a[p*op.lda+i])
		}
		return float64(op.a[i*op.lda+p])
	}
	bt := func(p, j int) float64 {
		if cs.tB {
			return float64(op.b[j*op.ldb+p])
		}
		return float64(op.b[p*op.ldb+j])
	}
	for i := 0; i < cs.m; i++ {
		for j := 0; j < cs.n; j++ {
			var s, sa float64
			for p := 0; p < cs.k; p++ {
				x := at(i, p) * bt(p, j)
				s += x
				sa += math.Abs(x)
			}
			w := float64(cs.alpha) * s
			g := math.Abs(float64(cs.alpha)) * sa
			if cs.beta != 0 {
				cv := float64(cs.beta) * float64(op.c0[i*op.ldc+j])
				w += cv
				g += math.Abs(cv)
			}
			want[i*cs.n+j], mag[i*cs.n+j] = w, g
		}
	}
	return want, mag
}

// verifyGemm runs one case on the installed path and reports the first wrong element,
// any guard or padding element overwritten, and the worst error relative to the
// tolerance.
func verifyGemm(t *testing.T, cs gemmCase, rng *rand.Rand) {
	t.Helper()
	op := newOperands(cs, rng)
	c, buf := runSgemm(cs, op)
	want, mag := refGemm(cs, op)
	if msg := compareGemm(cs, c, op.ldc, want, mag, 1); msg != "" {
		t.Fatalf("%v: %s", cs, msg)
	}
	if msg := checkGuards(cs, buf, op.ldc); msg != "" {
		t.Fatalf("%v: %s", cs, msg)
	}
}

// compareGemm checks c (m×n at stride ldc) against want within slack·tolerance.
func compareGemm(cs gemmCase, c []float32, ldc int, want, mag []float64, slack float64) string {
	for i := 0; i < cs.m; i++ {
		for j := 0; j < cs.n; j++ {
			got := float64(c[i*ldc+j])
			w, tol := want[i*cs.n+j], slack*kerneltest.Tolerance(cs.k, mag[i*cs.n+j])
			if !(math.Abs(got-w) <= tol) {
				return fmt.Sprintf("C[%d][%d] = %g, want %g (|diff| %.3g > tol %.3g)", i, j, got, w, math.Abs(got-w), tol)
			}
		}
	}
	return ""
}

// checkGuards reports a guard-band or padding element that is no longer the sentinel.
func checkGuards(cs gemmCase, buf []float32, ldc int) string {
	n := len(buf) - 2*kerneltest.Guard
	for i, v := range buf {
		inView := i >= kerneltest.Guard && i < kerneltest.Guard+n && (i-kerneltest.Guard)%ldc < cs.n
		if !inView && math.Float32bits(v) != math.Float32bits(kerneltest.Sentinel) {
			return fmt.Sprintf("element %d outside C's view (guard %d, ldc %d) overwritten with %g", i-kerneltest.Guard, kerneltest.Guard, ldc, v)
		}
	}
	return ""
}

// allTrans lists the four transpose combinations.
var allTrans = [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}}
