package experiment

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/cmd/fastgo/internal/ckpt"
	"github.com/fastgo/fastgo/cmd/fastgo/internal/report"
	"github.com/fastgo/fastgo/optim/learner"
	"github.com/fastgo/fastgo/vision"
	"github.com/fastgo/fastgo/vision/synth"
)

// tinyOptions returns a run on a tiny generated data set with a reduced-width ResNet34
// at 16 px: every phase of the sequence runs, in a few seconds.
func tinyOptions(t *testing.T, dir, out string) Options {
	t.Helper()
	ds, err := vision.FromCSV(filepath.Join(dir, "train.csv"), vision.DefaultCSV())
	if err != nil {
		t.Fatal(err)
	}
	lo := vision.DefaultLoader()
	lo.BatchSize, lo.Size, lo.Resize, lo.Workers, lo.Seed = 8, 16, 33, 2, 7
	return Options{Dataset: ds, Source: dir, Builtin: true, Loader: lo,
		Model: ModelOptions{Widths: [4]int{4, 8, 8, 16}}, Seed: 5, LRFindIters: 9, Out: out,
		Command: "pascal", Progress: learner.ProgressOff}
}

// tinyData writes the generated data set once per test.
func tinyData(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	if _, err := synth.Generate(dir, synth.Options{Seed: 3, Train: 24, Valid: 10, Size: 32}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// finalNumbers is what an interrupted-and-resumed run must reproduce: every phase's
// table values (not times), lr_find suggestions and evaluations.
func finalNumbers(t *testing.T, r *report.Report) string {
	t.Helper()
	var b strings.Builder
	for _, p := range r.Phases {
		row := func(x any) { j, _ := json.Marshal(x); b.Write(j); b.WriteByte('\n') }
		row(p.Name)
		if p.LRFind != nil {
			row([]report.Float{p.LRFind.LRMin, p.LRFind.LRSteep})
		}
		for _, rw := range p.Rows {
			row(rw.Values)
			row([]report.Float{rw.MAP07, rw.MAP10})
		}
		row(p.Losses)
		row(p.Eval)
	}
	for _, e := range r.Results {
		j, _ := json.Marshal(e)
		b.Write(j)
	}
	return b.String()
}

func TestPascalSequenceAndResume(t *testing.T) {
	data, out := tinyData(t), t.TempDir()
	var log bytes.Buffer
	o := tinyOptions(t, data, out)
	o.Stdout = &log
	rep, err := RunPascal(context.Background(), o)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	// Every phase ran, with fastai's epoch counts and tables.
	wantEpochs := map[string]int{"frozen": 4, "unfrozen": 4, "freeze_to(-2)": 2, "freeze_to(-1)": 3,
		"fine_tune(1), frozen epoch": 1, "fine_tune(1), unfrozen epoch": 1}
	if len(rep.Phases) != len(wantEpochs) {
		t.Fatalf("%d phases", len(rep.Phases))
	}
	for _, p := range rep.Phases {
		if len(p.Rows) != wantEpochs[p.Name] || !p.Done || p.Eval == nil {
			t.Errorf("phase %s: %d rows, done %v, eval %v", p.Name, len(p.Rows), p.Done, p.Eval)
		}
		if (p.Learner == 1) != (p.LRFind != nil) {
			t.Errorf("phase %s: lr_find %v", p.Name, p.LRFind)
		}
	}
	if got := rep.Phases[4].Columns; len(got) != 13 || got[3] != "accuracy_multi" {
		t.Errorf("fine_tune columns %v", got)
	}
	if len(rep.Results) != 2 || rep.Finished == "" || rep.TrainImages == 0 || rep.ValidImages == 0 {
		t.Errorf("results %d, finished %q, images %d/%d", len(rep.Results), rep.Finished, rep.TrainImages, rep.ValidImages)
	}
	for _, want := range []string{"SuggestedLRs(lr_min=", "epoch     train_loss  valid_loss  accuracy_multi  time",
		"== Phase 4/4: freeze_to(-1); lr_find(); fit_one_cycle(3, 5e-3)", "Learner 2:"} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("output lacks %q", want)
		}
	}
	for _, f := range []string{"report.json", "report.md", "losses.png", "lr_find_1.png", "lr_find_4.png", ShowBatchFile,
		ShowResultsFile, ShowResultsFineTune, ModelFile, FirstLearnerModel, CheckpointFile} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("output %s: %v", f, err)
		}
	}
	want := finalNumbers(t, rep)

	// Interrupt a second run after a few checkpoints, at different points, and resume.
	for _, stopAt := range []int{3, 4, 11, 13, 15} {
		out2 := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		o2 := tinyOptions(t, data, out2)
		n := 0
		o2.Stdout = &log
		o2.testHook = func() {
			if n++; n == stopAt {
				cancel()
			}
		}
		_, err := RunPascal(ctx, o2)
		cancel()
		if !errors.Is(err, ErrInterrupted) {
			t.Fatalf("stop at checkpoint %d: %v", stopAt, err)
		}
		ck, _, err := ckpt.Load(filepath.Join(out2, CheckpointFile))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("stopped at checkpoint %d: %s epoch %d/%d", stopAt, ck.Fit, ck.Epoch, ck.NEpoch)
		o3 := tinyOptions(t, data, out2)
		o3.Resume, o3.Stdout = true, &log
		rep3, err := RunPascal(context.Background(), o3)
		if err != nil {
			t.Fatalf("resume after checkpoint %d: %v", stopAt, err)
		}
		if got := finalNumbers(t, rep3); got != want {
			t.Errorf("resumed after checkpoint %d: numbers differ from the uninterrupted run\n got %s\nwant %s", stopAt, got, want)
		}
		if rep3.Resumed != 1 {
			t.Errorf("resumed count %d", rep3.Resumed)
		}
	}
}

func TestResumeChecksSettings(t *testing.T) {
	data, out := tinyData(t), t.TempDir()
	o := tinyOptions(t, data, out)
	o.Resume = true
	if _, err := RunPascal(context.Background(), o); err == nil || !strings.Contains(err.Error(), "no checkpoint") {
		t.Errorf("resume without checkpoint: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	o = tinyOptions(t, data, out)
	o.testHook = cancel
	if _, err := RunPascal(ctx, o); !errors.Is(err, ErrInterrupted) {
		t.Fatal(err)
	}
	o = tinyOptions(t, data, out)
	o.Resume, o.Seed = true, 99
	o.Loader.BatchSize = 4
	_, err := RunPascal(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), `seed "5" (now "99")`) || !strings.Contains(err.Error(), `bs "8" (now "4")`) {
		t.Errorf("changed settings: %v", err)
	}
}
