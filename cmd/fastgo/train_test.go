package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/vision/synth"
)

// TestTrainAndLRFind runs fastgo train (with lr_find and a slice of learning rates) and
// fastgo lr-find on a tiny generated folder.
func TestTrainAndLRFind(t *testing.T) {
	data := t.TempDir()
	if _, err := synth.Generate(data, synth.Options{Seed: 3, Train: 24, Valid: 10, Size: 32}); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	args := append([]string{"train", "-data", data, "-epochs", "2", "-lr", "1e-2", "-lr-lo", "1e-4", "-unfreeze", "-lr-find", "-out", out}, tiny...)
	r := fastgo(t, nil, args...)
	if r.code != 0 {
		t.Fatalf("fastgo %v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"unfreeze()", "SuggestedLRs(lr_min=", "epoch     train_loss  valid_loss  accuracy_multi  time", "learner 1 (after train)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("train output lacks %q:\n%s", want, r.stdout)
		}
	}
	rep := readReport(t, out)
	if len(rep.Phases) != 1 || rep.Phases[0].Fit != "fit_one_cycle(2, slice(0.0001, 0.01))" || len(rep.Phases[0].Rows) != 2 || rep.Phases[0].LRFind == nil {
		t.Errorf("train report phases: %+v", rep.Phases)
	}
	for _, f := range []string{"model.pth", "lr_find.png", "show_results.png", "checkpoint.pth", "report.md"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Error(err)
		}
	}

	// A saved cnn_learner model serves as -pretrained body.
	out3 := t.TempDir()
	args = append([]string{"train", "-data", data, "-epochs", "1", "-lr", "1e-3", "-pretrained", filepath.Join(out, "model.pth"), "-out", out3}, tiny...)
	if r := fastgo(t, nil, args...); r.code != 0 || !strings.Contains(readReport(t, out3).Model.Pretrained, "model.pth") {
		t.Errorf("fastgo %v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
	}

	out2 := t.TempDir()
	args = append([]string{"lr-find", "-data", data, "-freeze-to", "-2", "-out", out2}, tiny...)
	r = fastgo(t, nil, args...)
	if r.code != 0 || !strings.Contains(r.stdout, "SuggestedLRs(lr_min=") {
		t.Fatalf("fastgo %v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(out2, "lr_find.png")); err != nil {
		t.Error(err)
	}
	if rep := readReport(t, out2); rep.Phases[0].Freeze != "freeze_to(-2)" || rep.Phases[0].LRFind == nil {
		t.Errorf("lr-find report: %+v", rep.Phases[0])
	}
}
