package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/gonum"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/gemm"
)

// GemmShape is one GEMM of the benchmark table: C (M×N) = op(A)·op(B) with depth K.
type GemmShape struct {
	Name           string
	TransA, TransB bool
	M, N, K        int
}

// Flops is the shape's multiply-add count times two.
func (s GemmShape) Flops() float64 { return 2 * float64(s.M) * float64(s.N) * float64(s.K) }

// GemmShapes are the shapes of issue 2: squares, and ResNet34's convolutions as GEMMs
// at one image (M = output channels, N = output pixels, K = input channels·kh·kw):
// the forward of conv1 and of a 3×3 convolution in each stage, layer1's weight
// gradient dW = dY·Colᵀ (transposed B) and input gradient dCol = Wᵀ·dY (transposed
// A), and layer3's forward with a batch of 16 folded into N. BenchmarkGemm (in
// this package's tests) uses the same table.
var GemmShapes = []GemmShape{
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

// GemmOptions choose what GemmTable measures. Zero values take the defaults.
type GemmOptions struct {
	// Paths are "gonum" or an asm path name (generic, avx2, avx512, neon); default
	// gonum and every path this CPU has.
	Paths []string
	// Threads are the thread counts; default 1 and cpu.Threads() (if above 1).
	Threads []int
	// Shapes selects by substring of the name; nil means all of GemmShapes.
	Shapes []string
	// MinRuns and MinTime bound each measurement (see Median); default 3 and 200 ms.
	MinRuns int
	MinTime time.Duration
	// JSON writes the results as a JSON array instead of a table.
	JSON bool
}

// GemmResult is one cell of the table: the median rate of one path, thread count
// and shape.
type GemmResult struct {
	Path    string  `json:"path"`
	Threads int     `json:"threads"`
	Shape   string  `json:"shape"`
	M       int     `json:"m"`
	N       int     `json:"n"`
	K       int     `json:"k"`
	TransA  bool    `json:"trans_a"`
	TransB  bool    `json:"trans_b"`
	GFLOPS  float64 `json:"gflops"`
	Seconds float64 `json:"seconds"` // median time of one GEMM
}

// MeasureGemm times every selected path, thread count and shape. During a
// measurement GOMAXPROCS and cpu.SetThreads are set to the thread count, so gonum
// (which splits its work over GOMAXPROCS goroutines) runs with the same number.
func MeasureGemm(o GemmOptions) ([]GemmResult, error) {
	o = o.withDefaults()
	shapes, err := selectShapes(o.Shapes)
	if err != nil {
		return nil, err
	}
	prevProcs, prevThreads := runtime.GOMAXPROCS(0), cpu.Threads()
	defer func() {
		runtime.GOMAXPROCS(prevProcs)
		cpu.SetThreads(prevThreads)
	}()
	var out []GemmResult
	for _, path := range o.Paths {
		run, restore, err := gemmRunner(path)
		if err != nil {
			return nil, err
		}
		for _, th := range o.Threads {
			runtime.GOMAXPROCS(th)
			cpu.SetThreads(th)
			for _, s := range shapes {
				f := run(s)
				d := Median(f, o.MinRuns, o.MinTime)
				out = append(out, GemmResult{Path: path, Threads: th, Shape: s.Name, M: s.M, N: s.N, K: s.K,
					TransA: s.TransA, TransB: s.TransB, GFLOPS: GFLOPS(s.Flops(), d), Seconds: d.Seconds()})
			}
		}
		restore()
	}
	return out, nil
}

// GemmTable measures (see MeasureGemm) and writes one row per shape and one
// GFLOP/s column per path and thread count, or JSON when o.JSON is set.
func GemmTable(w io.Writer, o GemmOptions) error {
	o = o.withDefaults()
	if !o.JSON {
		fmt.Fprintf(w, "GEMM, GFLOP/s (median of ≥%d runs); cpu %q, active path %v\n", o.MinRuns, cpu.CPUName(), cpu.Active())
	}
	res, err := MeasureGemm(o)
	if err != nil {
		return err
	}
	if o.JSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	var cols []string
	cell := map[[2]string]float64{}
	var rows []string
	for _, r := range res {
		col := fmt.Sprintf("%s/%d", r.Path, r.Threads)
		if _, ok := cell[[2]string{"", col}]; !ok {
			cell[[2]string{"", col}] = 0
			cols = append(cols, col)
		}
		if _, ok := cell[[2]string{r.Shape, ""}]; !ok {
			cell[[2]string{r.Shape, ""}] = 0
			rows = append(rows, r.Shape)
		}
		cell[[2]string{r.Shape, col}] = r.GFLOPS
	}
	fmt.Fprintf(w, "%-24s", "shape (M×N×K) \\ path/threads")
	for _, c := range cols {
		fmt.Fprintf(w, " %10s", c)
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		fmt.Fprintf(w, "%-24s", r)
		for _, c := range cols {
			fmt.Fprintf(w, " %10.1f", cell[[2]string{r, c}])
		}
		fmt.Fprintln(w)
	}
	return nil
}

func (o GemmOptions) withDefaults() GemmOptions {
	if len(o.Paths) == 0 {
		o.Paths = []string{"gonum"}
		for _, isa := range cpu.Available() {
			o.Paths = append(o.Paths, isa.String())
		}
	}
	if len(o.Threads) == 0 {
		o.Threads = []int{1}
		if t := cpu.Threads(); t > 1 {
			o.Threads = append(o.Threads, t)
		}
	}
	if o.MinRuns < 1 {
		o.MinRuns = 3
	}
	if o.MinTime <= 0 {
		o.MinTime = 200 * time.Millisecond
	}
	return o
}

// selectShapes returns the shapes whose names contain one of the filters.
func selectShapes(filters []string) ([]GemmShape, error) {
	if len(filters) == 0 {
		return GemmShapes, nil
	}
	var out []GemmShape
	for _, s := range GemmShapes {
		for _, f := range filters {
			if strings.Contains(s.Name, f) {
				out = append(out, s)
				break
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no GEMM shape matches %q", filters)
	}
	return out, nil
}

// gemmRunner returns, for a path name, a constructor of timed GEMM calls with their
// operands allocated, and a function restoring the previous asm path.
func gemmRunner(path string) (func(GemmShape) func(), func(), error) {
	if path == "gonum" {
		tr := map[bool]blas.Transpose{false: blas.NoTrans, true: blas.Trans}
		return func(s GemmShape) func() {
			a, lda, b, ldb, c := gemmOperands(s)
			return func() {
				gonum.Implementation{}.Sgemm(tr[s.TransA], tr[s.TransB], s.M, s.N, s.K, 1, a, lda, b, ldb, 0, c, s.N)
			}
		}, func() {}, nil
	}
	isa, err := cpu.ParseISA(path)
	if err != nil {
		return nil, nil, err
	}
	restore, err := cpu.Use(isa)
	if err != nil {
		return nil, nil, err
	}
	return func(s GemmShape) func() {
		a, lda, b, ldb, c := gemmOperands(s)
		return func() { gemm.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1, a, lda, b, ldb, 0, c, s.N) }
	}, restore, nil
}

// gemmOperands allocates random A and B and a C for one shape.
func gemmOperands(s GemmShape) (a []float32, lda int, b []float32, ldb int, c []float32) {
	rng := rand.New(rand.NewPCG(uint64(s.M), uint64(s.N*s.K)))
	fill := func(n int) []float32 {
		x := make([]float32, n)
		for i := range x {
			x[i] = 2*rng.Float32() - 1
		}
		return x
	}
	lda, ldb = s.K, s.N
	if s.TransA {
		lda = s.M
	}
	if s.TransB {
		ldb = s.K
	}
	return fill(s.M * s.K), lda, fill(s.K * s.N), ldb, make([]float32, s.M*s.N)
}
