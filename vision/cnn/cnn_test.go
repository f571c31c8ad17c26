package cnn

import (
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/nn/pth"
	"github.com/fastgo/fastgo/optim"
	"github.com/fastgo/fastgo/optim/learner"
	"github.com/fastgo/fastgo/tensor"
	"github.com/fastgo/fastgo/vision"
	"github.com/fastgo/fastgo/vision/synth"
)

// tinyData generates a small multi-label data set and its loaders (32 px, batch 4).
func tinyData(t testing.TB) *vision.DataLoaders {
	t.Helper()
	dir := t.TempDir()
	if _, err := synth.Generate(dir, synth.Options{Seed: 2, Train: 24, Valid: 8, Size: 32}); err != nil {
		t.Fatal(err)
	}
	ds, err := vision.FromCSV(filepath.Join(dir, "train.csv"), vision.DefaultCSV())
	if err != nil {
		t.Fatal(err)
	}
	o := vision.DefaultLoader()
	o.Size, o.Resize, o.BatchSize = 32, 36, 4
	dls, err := vision.NewDataLoaders(ds, o)
	if err != nil {
		t.Fatal(err)
	}
	return dls
}

var tinyWidths = [4]int{4, 8, 8, 16}

// TestNewLearner checks cnn_learner's model and optimiser for every architecture: the
// three groups cover each parameter once in state-dict order, the head has the data's
// classes, and the body is frozen (only the head and the batch norms train).
func TestNewLearner(t *testing.T) {
	dls := tinyData(t)
	for _, arch := range nn.Archs {
		l, err := NewLearner(dls, arch, Config{Widths: tinyWidths, Learner: learner.Config{Out: io.Discard}})
		if err != nil {
			t.Fatal(arch, err)
		}
		groups := l.Opt.Groups()
		if len(groups) != 3 {
			t.Fatalf("%s: %d groups, want 3", arch, len(groups))
		}
		var names []string
		for gi, g := range groups {
			for _, p := range g.Params {
				names = append(names, p.Name)
				prefix := map[int]string{0: "0.", 1: "0.", 2: "1."}[gi]
				if !strings.HasPrefix(p.Name, prefix) {
					t.Errorf("%s: group %d holds %s", arch, gi, p.Name)
				}
				frozen := gi < 2 && !p.ForceTrain
				if p.Var.RequiresGrad() == frozen {
					t.Errorf("%s: %s trainable %v after freeze()", arch, p.Name, p.Var.RequiresGrad())
				}
			}
		}
		var want []string
		for _, n := range nn.Parameters(l.CNN) {
			want = append(want, n.Name)
		}
		if !slices.Equal(names, want) {
			t.Errorf("%s: groups hold %d parameters, the model has %d", arch, len(names), len(want))
		}
		if got := l.CNN.Head.Layers[8].(*nn.Linear).Weight.Value.Dim(0); got != len(synth.Classes) {
			t.Errorf("%s: head has %d outputs, want %d", arch, got, len(synth.Classes))
		}
		if arch.Bottleneck != slices.ContainsFunc(want, func(s string) bool { return strings.HasSuffix(s, ".conv3.weight") }) {
			t.Errorf("%s: bottleneck %v but conv3 presence differs", arch, arch.Bottleneck)
		}
	}
	if _, err := NewLearner(nil, nn.ResNet18, Config{}); err == nil {
		t.Error("no loaders accepted")
	}
}

// TestSaveLoad trains one epoch, saves, loads and compares the logits of the two
// models, and checks show_results and a bad file.
func TestSaveLoad(t *testing.T) {
	dls := tinyData(t)
	l, err := NewLearner(dls, nn.ResNet18, Config{Widths: tinyWidths, Seed: 3, Loss: autograd.BCE, Learner: learner.Config{Out: io.Discard}})
	if err != nil {
		t.Fatal(err)
	}
	l.Unfreeze()
	if err := l.Fit(1, optim.LR{}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "m.pth")
	if err := l.Save(path); err != nil {
		t.Fatal(err)
	}
	m, info, err := LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Arch != "resnet18" || info.Widths != tinyWidths || info.Size != 32 || info.Resize != 36 || !slices.Equal(info.Classes, synth.Classes) {
		t.Errorf("info %+v", info)
	}
	x := tensor.New(3, 2, 32, 32)
	for i := range x.Data() {
		x.Data()[i] = float32(i%7) - 3
	}
	logits := func(c *nn.CNN) []float32 {
		g := autograd.NewGraph(autograd.NewPool(), autograd.NoGrad)
		defer g.Release()
		return slices.Clone(c.Forward(g, g.Input(x)).Value.Data())
	}
	if a, b := logits(l.CNN), logits(m); !slices.Equal(a, b) {
		t.Errorf("loaded model's logits %v differ from the saved model's %v", b, a)
	}
	if err := l.ShowResults(filepath.Join(dir, "sub", "r.png"), 4); err != nil {
		t.Error(err)
	}
	if _, _, err := LoadModel(filepath.Join(dir, "none.pth")); err == nil {
		t.Error("a missing file loaded")
	}
}

func TestParamGroupsStable(t *testing.T) {
	c, err := NewModel(nn.ResNet18, 3, ModelOptions{Widths: tinyWidths})
	if err != nil {
		t.Fatal(err)
	}
	m := AsModel(c)
	groups := m.ParamGroups()
	if len(groups) != 3 || m.ParamGroups()[2][0] != groups[2][0] {
		t.Fatal("ParamGroups must return the same Params every time")
	}
	for _, p := range groups[2] {
		switch {
		case strings.HasPrefix(p.Name, "1.2."), strings.HasPrefix(p.Name, "1.6."): // the head's batch norms
			if !p.NoDecay || !p.ForceTrain {
				t.Errorf("%s: NoDecay %v ForceTrain %v, want both", p.Name, p.NoDecay, p.ForceTrain)
			}
		case p.NoDecay || p.ForceTrain:
			t.Errorf("%s: a linear weight with NoDecay %v ForceTrain %v", p.Name, p.NoDecay, p.ForceTrain)
		}
	}
}

// A torchvision file loads as the body of its own architecture and is refused, with the
// names that do not match, by another.
func TestLoadBodyArch(t *testing.T) {
	path := filepath.Join(t.TempDir(), "resnet50.pth")
	r := nn.NewResNetArch(nn.ResNet50, tinyWidths, 1000)
	if err := pth.Save(path, nn.StateDict(r)); err != nil {
		t.Fatal(err)
	}
	if _, err := NewModel(nn.ResNet50, 3, ModelOptions{Widths: tinyWidths, Pretrained: path}); err != nil {
		t.Errorf("a resnet50 file into resnet50: %v", err)
	}
	_, err := NewModel(nn.ResNet18, 3, ModelOptions{Widths: tinyWidths, Pretrained: path})
	if err == nil || !strings.Contains(err.Error(), "conv3") || !strings.Contains(err.Error(), "resnet50.pth") {
		t.Errorf("a resnet50 file into resnet18: %v", err)
	}
}
