package bench

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

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
