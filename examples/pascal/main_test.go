package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/vision/cnn"
	"github.com/fastgo/fastgo/vision/synth"
)

// TestRun runs the example program, unchanged, on a small generated data set with a
// narrow ResNet34 and checks that it runs the notebook's steps (four lr_finds, the
// fine_tune table with accuracy_multi at nine thresholds), writes every output and a
// model that loads back, and that a missing data folder is an error, not a panic.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	if _, err := synth.Generate(dir, synth.Options{Seed: 2, Train: 24, Valid: 8, Size: 32}); err != nil {
		t.Fatal(err)
	}
	*data, *out = dir, filepath.Join(dir, "out")
	loader.Size, loader.Resize, loader.BatchSize = 32, 36, 8
	model.Widths = [4]int{4, 8, 8, 16}
	var log bytes.Buffer
	model.Learner.Out = &log
	if err := run(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(log.String(), "SuggestedLRs("); n != 4 {
		t.Errorf("%d lr_find suggestions printed, want 4 (one per phase)", n)
	}
	header := "epoch     train_loss  valid_loss" + strings.Repeat("  accuracy_multi", 9) + "  time"
	if n := strings.Count(log.String(), header); n != 2 {
		t.Errorf("%d fine_tune tables with nine accuracy_multi columns, want 2 (frozen and unfrozen epoch):\n%s", n, log.String())
	}
	for _, f := range []string{"show_batch.png", "lr_find_1.png", "lr_find_2.png", "lr_find_3.png", "lr_find_4.png",
		"show_results.png", "model.pth"} {
		if st, err := os.Stat(filepath.Join(*out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	_, info, err := cnn.LoadModel(filepath.Join(*out, "model.pth"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Arch != "resnet34" || info.Widths != model.Widths || !slices.Equal(info.Classes, synth.Classes) || info.Size != 32 {
		t.Errorf("saved model info %+v", info)
	}
	*data = filepath.Join(dir, "missing")
	if err := run(); err == nil {
		t.Error("a missing data folder gave no error")
	}
}
