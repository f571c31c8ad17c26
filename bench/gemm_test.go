package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/fastgo/fastgo/asm/cpu"
)

// BenchmarkGemm measures gonum's Sgemm and every asm path this CPU has, with 1 and 2
// threads, on GemmShapes (squares and ResNet34's convolutions), in GFLOP/s; fastgo
// bench gemm prints the same measurements as a table. Select with
// -bench 'Gemm/isa=avx512/threads=1/1024' etc.
func BenchmarkGemm(b *testing.B) {
	prev := cpu.Threads()
	defer cpu.SetThreads(prev)
	for _, path := range (GemmOptions{}).withDefaults().Paths {
		for _, th := range []int{1, 2} {
			for _, s := range GemmShapes {
				b.Run(fmt.Sprintf("isa=%s/threads=%d/%s", path, th, s.Name), func(b *testing.B) {
					if path == "gonum" && th != 1 {
						b.Skip("gonum's Sgemm parallelises internally over GOMAXPROCS; measured once")
					}
					newRun, restore, err := gemmRunner(path)
					if err != nil {
						b.Skip(err)
					}
					defer restore()
					cpu.SetThreads(th)
					run := newRun(s)
					run() // warm the pools
					b.ReportAllocs()
					b.ResetTimer()
					for range b.N {
						run()
					}
					b.ReportMetric(s.Flops()*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				})
			}
		}
	}
}

// TestGemmTable runs the table on one small shape for gonum and the active path and
// checks both the text and the JSON forms carry a positive rate for every cell.
func TestGemmTable(t *testing.T) {
	o := GemmOptions{Shapes: []string{"128x128x128"}, Threads: []int{1}, MinRuns: 1, MinTime: time.Millisecond}
	var buf bytes.Buffer
	if err := GemmTable(&buf, o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "128x128x128") || !strings.Contains(buf.String(), "gonum/1") {
		t.Fatalf("table lacks the shape or the gonum column:\n%s", buf.String())
	}
	o.JSON = true
	buf.Reset()
	if err := GemmTable(&buf, o); err != nil {
		t.Fatal(err)
	}
	var res []GemmResult
	if err := json.Unmarshal(buf.Bytes(), &res); err != nil {
		t.Fatalf("bad JSON: %v\n%s", err, buf.String())
	}
	if len(res) < 2 {
		t.Fatalf("want gonum and at least one asm path, got %d results", len(res))
	}
	for _, r := range res {
		if r.GFLOPS <= 0 || r.M != 128 {
			t.Errorf("bad result %+v", r)
		}
	}
	if _, err := MeasureGemm(GemmOptions{Shapes: []string{"nosuchshape"}}); err == nil {
		t.Error("an unknown shape filter must be an error")
	}
	if _, err := MeasureGemm(GemmOptions{Paths: []string{"sse9"}, Shapes: []string{"128x"}}); err == nil {
		t.Error("an unknown path must be an error")
	}
}
