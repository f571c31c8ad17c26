package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/vision"
	"github.com/fastgo/fastgo/vision/synth"
)

// TestSingleLabelTrainAndPredict trains on class folders: the task is detected as
// single-label (cross-entropy, accuracy, error_rate, a confusion matrix), and predict
// prints the most probable class of the saved model.
func TestSingleLabelTrainAndPredict(t *testing.T) {
	data := t.TempDir()
	if _, err := synth.GeneratePretrain(data, synth.Options{Seed: 5, Train: 24, Valid: 16, Size: 32}); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	args := append([]string{"train", "-data", data, "-epochs", "1", "-lr", "1e-2", "-out", out}, tiny...)
	r := fastgo(t, nil, args...)
	if r.code != 0 {
		t.Fatalf("fastgo %v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"(class folders): 24 training, 16 validation images, 8 classes (single-label)",
		"loss_func=CrossEntropyLossFlat, metrics=[accuracy, error_rate]",
		"epoch     train_loss  valid_loss  accuracy  error_rate  time",
		"interp.plot_confusion_matrix: " + filepath.Join(out, "confusion_matrix.png"),
		"learner 1 (after train): accuracy "} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("train output lacks %q:\n%s", want, r.stdout)
		}
	}
	rep := readReport(t, out)
	if len(rep.Results) != 1 || rep.Results[0].Single == nil {
		t.Fatalf("report results %+v: no single-label evaluation", rep.Results)
	}
	se := rep.Results[0].Single
	total := 0
	for _, row := range se.Confusion {
		for _, n := range row {
			total += n
		}
	}
	if total != 16 || len(se.Confusion) != 8 || se.Plot != "confusion_matrix.png" || float64(se.Accuracy+se.ErrorRate) != 1 {
		t.Errorf("single-label evaluation %+v (%d images in the matrix)", se, total)
	}
	for _, f := range []string{"confusion_matrix.png", "show_results.png", "model.pth"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}
	md, _ := os.ReadFile(filepath.Join(out, "report.md"))
	if !strings.Contains(string(md), "Single-label: accuracy **") {
		t.Errorf("report.md lacks the single-label result")
	}

	img := filepath.Join(data, "valid", "hexagon", "000004.jpg")
	r = fastgo(t, nil, "predict", "-model", filepath.Join(out, "model.pth"), img)
	if r.code != 0 || !regexp.MustCompile(`^`+regexp.QuoteMeta(img)+`: [a-z]+ [01]\.\d{3} \(next: [a-z]+ [01]\.\d{3}\)\n$`).MatchString(r.stdout) {
		t.Errorf("predict: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// The seed sequence follows the task too.
	out3 := t.TempDir()
	args = append([]string{"pascal", "-data", data, "-out", out3}, tiny...)
	r = fastgo(t, nil, args...)
	if r.code != 0 || !strings.Contains(r.stdout, "metrics=accuracy) (CrossEntropyLossFlat); fine_tune(1)") ||
		!strings.Contains(r.stdout, "learner 2 (after fine_tune(1), unfrozen epoch): accuracy ") {
		t.Errorf("fastgo %v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
	}
	if rep := readReport(t, out3); len(rep.Results) != 2 || rep.Results[0].Single == nil || rep.Results[1].Single == nil {
		t.Errorf("pascal on single-label data: results %+v", rep.Results)
	}

	// -task multi trains the same folders as a multi-label task.
	out2 := t.TempDir()
	args = append([]string{"train", "-data", data, "-task", "multi", "-epochs", "1", "-lr", "1e-2", "-out", out2}, tiny...)
	if r := fastgo(t, nil, args...); r.code != 0 || !strings.Contains(r.stdout, "accuracy_multi") || !strings.Contains(r.stdout, "(multi-label)") {
		t.Errorf("fastgo %v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
	}
}

func TestSingleLabelTaskErrors(t *testing.T) {
	multi := t.TempDir()
	if _, err := synth.Generate(multi, synth.Options{Seed: 3, Train: 24, Valid: 10, Size: 32}); err != nil {
		t.Fatal(err)
	}
	r := fastgo(t, nil, append([]string{"train", "-data", multi, "-task", "single", "-epochs", "1", "-lr", "1e-2", "-out", t.TempDir()}, tiny...)...)
	if r.code != 1 || !regexp.MustCompile(`-task single: train.csv line \d+ has [02-9] labels`).MatchString(r.stderr) {
		t.Errorf("-task single on multi-label data: exit %d\n%s", r.code, r.stderr)
	}
	r = fastgo(t, nil, "train", "-data", multi, "-task", "both", "-epochs", "1", "-lr", "1e-2")
	if r.code != 2 || !strings.Contains(r.stderr, `-task "both": want single or multi`) {
		t.Errorf("bad -task: exit %d\n%s", r.code, r.stderr)
	}
}

// TestIDXData reads MNIST-style IDX files as -data, validated on t10k.
func TestIDXData(t *testing.T) {
	data := t.TempDir()
	for _, split := range []struct {
		prefix string
		n      int
	}{{"train", 24}, {"t10k", 8}} {
		pix := make([]uint8, split.n*28*28)
		lab := make([]uint8, split.n)
		for i := range lab {
			lab[i] = uint8(i % 10)
			pix[i*784+int(lab[i])*28+5] = 255
		}
		if err := vision.WriteIDX(filepath.Join(data, split.prefix+"-images-idx3-ubyte.gz"), []int{split.n, 28, 28}, pix); err != nil {
			t.Fatal(err)
		}
		if err := vision.WriteIDX(filepath.Join(data, split.prefix+"-labels-idx1-ubyte.gz"), []int{split.n}, lab); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	args := append([]string{"train", "-data", data, "-epochs", "1", "-lr", "1e-2", "-out", out}, tiny...)
	r := fastgo(t, nil, args...)
	if r.code != 0 || !strings.Contains(r.stdout, "(IDX): 24 training, 8 validation images, 10 classes (single-label)") {
		t.Errorf("fastgo %v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
	}
}
