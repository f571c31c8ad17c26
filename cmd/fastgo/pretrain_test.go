package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/nn/pth"
	"github.com/fastgo/fastgo/vision"
	"github.com/fastgo/fastgo/vision/synth"
)

// tinyPretrain makes the built-in pretraining step a few steps long.
var tinyPretrain = []string{"-pretrain-train", "16", "-pretrain-valid", "8", "-pretrain-epochs", "1"}

// TestPascalPretrainsThenReusesTheBody runs the built-in first run twice with a fresh
// $FASTGO_HOME: the first pretrains the body and caches it, the second reuses it.
func TestPascalPretrainsThenReusesTheBody(t *testing.T) {
	home := t.TempDir()
	env := []string{"FASTGO_HOME=" + home}
	base := append(append([]string{"-sample-train", "24", "-sample-valid", "10"}, tiny...), tinyPretrain...)
	out1 := t.TempDir()
	r := fastgo(t, env, append([]string{"pascal", "-out", out1}, base...)...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "Pretraining: torchvision resnet34 from scratch") || !strings.Contains(r.stdout, "cached for later runs") {
		t.Errorf("no pretraining step:\n%s", r.stdout)
	}
	if strings.Contains(r.stdout, "note: no -pretrained weights") {
		t.Errorf("the from-scratch warning printed although the body is pretrained:\n%s", r.stdout)
	}
	bodies, _ := filepath.Glob(filepath.Join(home, "pretrained", "synth-resnet34-*.pth"))
	if len(bodies) != 1 {
		t.Fatalf("cache holds %v, want one body", bodies)
	}
	if rest, _ := filepath.Glob(filepath.Join(home, "pretrained", "*")); len(rest) != 1 {
		t.Errorf("cache folder holds %v: temporary data left behind", rest)
	}
	if rep := readReport(t, out1); !strings.Contains(strings.Join(rep.Notes, " "), bodies[0]) {
		t.Errorf("report notes %q do not name the pretrained body", rep.Notes)
	}
	out2 := t.TempDir()
	r = fastgo(t, env, append([]string{"pascal", "-out", out2}, base...)...)
	if r.code != 0 {
		t.Fatalf("second run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "pretrained body: "+bodies[0]+" (cached") || strings.Contains(r.stdout, "Pretraining:") {
		t.Errorf("second run did not reuse the cached body:\n%s", r.stdout)
	}
}

func TestPretrainCommandOnClassFolders(t *testing.T) {
	data := t.TempDir()
	if _, err := synth.GeneratePretrain(filepath.Join(data, "all"), synth.Options{Seed: 4, Train: 16, Valid: 8, Size: 32}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "body.pth")
	r := fastgo(t, nil, append([]string{"pretrain", "-data", data, "-valid-pct", "0.25", "-epochs", "1", "-out", out}, tiny...)...)
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "18 training, 6 validation images, 8 classes") || !strings.Contains(r.stdout, "use it with -pretrained "+out) {
		t.Errorf("output:\n%s", r.stdout)
	}
	sd, err := pth.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if sd.Get("conv1.weight") == nil || sd.Get("fc.weight") == nil || sd.Get("0.0.weight") != nil {
		t.Errorf("%s is not in torchvision's layout", out)
	}
	if _, err := os.Stat(out + ".tmp"); err == nil {
		t.Error("temporary file left behind")
	}
	// An empty folder is refused with what was looked for.
	r = fastgo(t, nil, append([]string{"pretrain", "-data", t.TempDir(), "-out", out}, tiny...)...)
	if r.code != 1 || !strings.Contains(r.stderr, "train.csv: no such file") {
		t.Errorf("no class folders: exit %d\n%s", r.code, r.stderr)
	}
}

// TestPretrainFlagsSetTheRecipe checks how pascal's -pretrain-* flags turn into the
// pretraining's options: zero_init_residual by default, the run's size, batch size and
// seed unless -pretrain-size, -pretrain-bs or -pretrain-seed say otherwise, and bad
// values refused with the flags named.
func TestPretrainFlagsSetTheRecipe(t *testing.T) {
	parse := func(args ...string) (*pretrainFlags, error) {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		p := addPretrainFlags(fs, "pretrain-")
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		return p, p.check("pretrain-")
	}
	lo := vision.DefaultLoader()
	lo.Size, lo.Resize, lo.BatchSize, lo.Seed = 64, 131, 16, 7
	p, err := parse()
	if err != nil {
		t.Fatal(err)
	}
	o := p.options(nn.ResNet34, [4]int{}, lo, 7, nil, 0)
	if !o.ZeroInitResidual || o.Loader.Size != 64 || o.Loader.Resize != 131 || o.Loader.BatchSize != 16 || o.Seed != 7 || o.Loader.Seed != 7 || o.Epochs != pretrainEpochs || o.LR != pretrainLR {
		t.Errorf("defaults: %+v", o)
	}
	p, err = parse("-pretrain-size", "48", "-pretrain-bs", "32", "-pretrain-seed", "0", "-pretrain-zero-init=false")
	if err != nil {
		t.Fatal(err)
	}
	o = p.options(nn.ResNet34, [4]int{}, lo, 7, nil, 0)
	if o.ZeroInitResidual || o.Loader.Size != 48 || o.Loader.Resize != 99 || o.Loader.BatchSize != 32 || o.Seed != 0 || o.Loader.Seed != 0 {
		t.Errorf("-pretrain-size 48 -pretrain-bs 32 -pretrain-seed 0 -pretrain-zero-init=false: %+v", o)
	}
	for _, bad := range [][]string{{"-pretrain-size", "1"}, {"-pretrain-bs", "-2"}, {"-pretrain-seed", "-3"}} {
		if _, err := parse(bad...); err == nil || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}
