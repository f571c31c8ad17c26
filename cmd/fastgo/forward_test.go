package main

import (
	"math"
	"path/filepath"
	"testing"

	"github.com/fastgo/fastgo/tensor"
)

// fastgo forward on the reduced-width parity fixture reproduces PyTorch's eval logits.
func TestForwardCommandMatchesPyTorch(t *testing.T) {
	const dir = "../../nn/testdata/small"
	out := filepath.Join(t.TempDir(), "logits.npy")
	code := runMain([]string{"forward", "-model", dir + "/state_dict.pth", "-input", dir + "/input.npy",
		"-output", out, "-widths", "8,16,32,64", "-classes", "20"})
	if code != 0 {
		t.Fatalf("exit status %d", code)
	}
	got, err := tensor.LoadNPY(out)
	if err != nil {
		t.Fatal(err)
	}
	want, shape, err := tensor.LoadNPY64(dir + "/logits_eval_f64.npy")
	if err != nil {
		t.Fatal(err)
	}
	if !tensor.ShapeEqual(got.Shape(), shape) {
		t.Fatalf("logits shape %v, want %v", got.Shape(), shape)
	}
	// PyTorch's own float32 logits differ from the float64 ones by ~1e-6 relative; the
	// parity tests in nn check the tight bound, this one that the command wires it up.
	var maxAbs float64
	for _, w := range want {
		maxAbs = math.Max(maxAbs, math.Abs(w))
	}
	for i, w := range want {
		if d := math.Abs(float64(got.Data()[i]) - w); d > 2e-5*maxAbs {
			t.Fatalf("logit %d = %v, PyTorch %v", i, got.Data()[i], w)
		}
	}
}

func TestForwardCommandErrors(t *testing.T) {
	const dir = "../../nn/testdata/small"
	for _, args := range [][]string{
		{"forward"}, // missing flags
		{"forward", "-model", "/nonexistent.pth", "-input", dir + "/input.npy", "-output", "/tmp/x.npy"},
		{"forward", "-model", dir + "/state_dict.pth", "-input", dir + "/input.npy", "-output", "/tmp/x.npy"}, // full width: keys mismatch
		{"forward", "-model", dir + "/state_dict.pth", "-input", dir + "/target.npy", "-output", "/tmp/x.npy", "-widths", "8,16,32,64"},
		{"forward", "-widths", "1,2", "-model", "a", "-input", "b", "-output", "c"},
	} {
		if code := runMain(args); code == 0 {
			t.Errorf("%v: exit status 0, want an error", args)
		}
	}
}
