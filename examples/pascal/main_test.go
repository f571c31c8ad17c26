package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/fastgo/fastgo/vision/cnn"
	"github.com/fastgo/fastgo/vision/synth"
)

// TestRun runs the example program, unchanged, on a small generated data set with a
// narrow ResNet34 and checks that it writes every output and a model that loads back.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	if _, err := synth.Generate(dir, synth.Options{Seed: 2, Train: 24, Valid: 8, Size: 32}); err != nil {
		t.Fatal(err)
	}
	*data, *out = dir, filepath.Join(dir, "out")
	loader.Size, loader.Resize, loader.BatchSize = 32, 36, 8
	widths = [4]int{4, 8, 8, 16}
	if err := run(); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"show_batch.png", "lr_find_1.png", "lr_find_2.png", "show_results.png", "model.pth"} {
		if st, err := os.Stat(filepath.Join(*out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s not written: %v", f, err)
		}
	}
	_, info, err := cnn.LoadModel(filepath.Join(*out, "model.pth"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Arch != "resnet34" || info.Widths != widths || !slices.Equal(info.Classes, synth.Classes) || info.Size != 32 {
		t.Errorf("saved model info %+v", info)
	}
	*data = filepath.Join(dir, "missing")
	if err := run(); err == nil {
		t.Error("a missing data folder gave no error")
	}
}
