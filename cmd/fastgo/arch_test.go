package main

import (
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/nn/pth"
	"github.com/fastgo/fastgo/tensor"
	"github.com/fastgo/fastgo/vision/synth"
)

// fastgo forward -arch resnet50 reproduces PyTorch's eval logits of the reduced-width
// ResNet50 fixture (whose body is stored in torchvision's names and head apart: the test
// assembles the cnn_learner state dict the command reads).
func TestForwardResNet50(t *testing.T) {
	const dir = "../../nn/testdata/small_resnet50"
	widths := [4]int{4, 8, 16, 32}
	c := nn.NewCNN(nn.NewResNetArch(nn.ResNet50, widths, 1000), 20, rand.New(rand.NewPCG(1, 1)), 1)
	body, err := pth.Load(dir + "/torchvision.pth")
	if err != nil {
		t.Fatal(err)
	}
	head, err := pth.Load(dir + "/head.pth")
	if err != nil {
		t.Fatal(err)
	}
	if err := nn.LoadPretrainedBody(c, body); err != nil {
		t.Fatal(err)
	}
	if err := nn.LoadStateDict(c.Head, head, nn.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	model, out := filepath.Join(tmp, "r50.pth"), filepath.Join(tmp, "logits.npy")
	if err := pth.Save(model, nn.StateDict(c)); err != nil {
		t.Fatal(err)
	}
	args := []string{"forward", "-arch", "resnet50", "-model", model, "-input", dir + "/input.npy", "-output", out, "-widths", "4,8,16,32"}
	if code := runMain(args); code != 0 {
		t.Fatalf("%v: exit status %d", args, code)
	}
	got, err := tensor.LoadNPY(out)
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := tensor.LoadNPY64(dir + "/logits_eval_f64.npy")
	if err != nil {
		t.Fatal(err)
	}
	var maxAbs float64
	for _, w := range want {
		maxAbs = math.Max(maxAbs, math.Abs(w))
	}
	for i, w := range want {
		if d := math.Abs(float64(got.Data()[i]) - w); d > 2e-5*maxAbs {
			t.Fatalf("logit %d = %v, PyTorch %v", i, got.Data()[i], w)
		}
	}
	// The same file is not a resnet34.
	if code := runMain([]string{"forward", "-model", model, "-input", dir + "/input.npy", "-output", out, "-widths", "4,8,16,32"}); code == 0 {
		t.Error("a resnet50 state dict loaded as resnet34")
	}
}

// fastgo train -arch resnet18 records the architecture in the report and the model's
// metadata, and fastgo predict rebuilds that architecture from the metadata alone.
func TestTrainArch(t *testing.T) {
	data := t.TempDir()
	if _, err := synth.Generate(data, synth.Options{Seed: 3, Train: 24, Valid: 10, Size: 32}); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	args := append([]string{"train", "-arch", "resnet18", "-data", data, "-epochs", "1", "-lr", "1e-2", "-out", out}, tiny...)
	r := fastgo(t, nil, args...)
	if r.code != 0 {
		t.Fatalf("fastgo %v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "cnn_learner(dls, resnet18,") || !strings.HasPrefix(readReport(t, out).Model.Arch, "resnet18") {
		t.Errorf("train -arch resnet18: output\n%s\nreport arch %q", r.stdout, readReport(t, out).Model.Arch)
	}
	img := filepath.Join(data, "train", "000000.jpg")
	if _, err := os.Stat(img); err != nil {
		t.Fatal(err)
	}
	r = fastgo(t, nil, "predict", "-model", filepath.Join(out, "model.pth"), img)
	if r.code != 0 || !strings.Contains(r.stdout, "000000.jpg") {
		t.Errorf("predict on a resnet18 model: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, c := range [][]string{
		{"train", "-arch", "resnet101", "-data", data, "-epochs", "1", "-lr", "1e-2"},
		{"forward", "-arch", "vgg16", "-model", "m", "-input", "i", "-output", "o"},
		{"bench", "infer", "-arch", "resnet7", "-size", "32", "-bs", "1", "-steps", "1"},
	} {
		r := fastgo(t, nil, c...)
		if r.code == 0 || !strings.Contains(r.stderr, "resnet18, resnet34") {
			t.Errorf("fastgo %v: exit %d, stderr %s", c, r.code, r.stderr)
		}
	}
}
