package report

import (
	"image/png"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func sample() *Report {
	nan := Float(math.NaN())
	return &Report{
		Command: "pascal", Args: []string{"-size", "64"}, Started: "2025-01-01T00:00:00Z",
		Data:   Data{Source: "out/sample_data", Builtin: true, Train: 8, Valid: 4, Classes: []string{"circle", "ring"}},
		Model:  Model{Arch: "resnet34", Params: 21_823_040},
		Loader: Loader{Size: 64, Resize: 131, BatchSize: 4},
		Phases: []*Phase{{
			Learner: 1, Name: "frozen", Freeze: "freeze()",
			LRFind: &LRFind{Iterations: 12, LRMin: 0.0012, LRSteep: 3.3e-6, Suggested: true, Plot: "lr_find_1_frozen.png", Seconds: 2},
			Fit:    "fit_one_cycle(2, 5e-2)", Columns: []string{"epoch", "train_loss", "valid_loss", "accuracy_multi", "time"},
			Rows: []Row{{Epoch: 0, Values: []Float{0.9, 0.8, 0.5}, Seconds: 3, MAP07: 0.5, MAP10: 0.45},
				{Epoch: 1, Values: []Float{0.7, Float(math.Inf(1)), 0.625}, Seconds: 3.5, MAP07: nan, MAP10: 0.5}},
			Losses: []Float{1, 0.9, nan, 0.7}, LRs: []Float{1e-3, 2e-3, 3e-3, 4e-3}, Done: true,
		}},
		Results: []*Eval{{Learner: 1, Name: "after freeze_to(-1)", Classes: []string{"circle", "ring"},
			AP07: []Float{1, nan}, AP10: []Float{1, nan}, MAP07: 1, MAP10: 1,
			Thresholds: []float64{0.1, 0.5, 0.9}, Accuracy: []Float{0.5, 0.75, 0.875}, Baseline: 0.625, ChanceMAP: 0.375, Images: 4}},
		Images:      map[string]string{"show_batch": "show_batch.png"},
		WallSeconds: 125, TrainImages: 200, ValidImages: 50,
	}
}

func TestJSONRoundTripKeepsNonFinite(t *testing.T) {
	r := sample()
	b, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"NaN"`) || !strings.Contains(string(b), `"Infinity"`) {
		t.Errorf("non-finite values not spelled out:\n%s", b)
	}
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := got.Encode()
	if string(b) != string(b2) {
		t.Errorf("round trip changed the report:\n%s\n---\n%s", b, b2)
	}
	if v := got.Phases[0].Losses[2]; !math.IsNaN(float64(v)) {
		t.Errorf("NaN came back as %v", v)
	}
	if _, err := Decode([]byte(`{"wall_seconds": "x"}`)); err == nil {
		t.Error("bad JSON accepted")
	}
	var f Float
	if err := f.UnmarshalJSON([]byte(`"fast"`)); err == nil {
		t.Error("a string that is no number accepted")
	}
}

func TestMarkdown(t *testing.T) {
	md := sample().Markdown()
	for _, want := range []string{
		"# fastgo pascal — report",
		"`fastgo pascal -size 64`",
		"| wall time | 2m05s (125 s) |",
		"200 training (lr_find included) + 50 validation = 2.0 images/s",
		"21,823,040 parameters, from scratch",
		"`freeze()` → `lr_find()` (12 iterations, 2.0s): SuggestedLRs(lr_min=0.0012, lr_steep=3.3e-06) → `fit_one_cycle(2, 5e-2)`",
		"| epoch | train_loss | valid_loss | accuracy_multi | mAP (VOC07) | time |",
		"| 1 | 0.700000 | inf | 0.625000 | nan | 3.5s |",
		"| threshold | 0.1 | 0.5 | 0.9 |",
		"| accuracy_multi | 0.5000 | 0.7500 | 0.8750 |",
		"| ring | nan | nan |",
		"a random ranking scores about 0.3750. accuracy_multi at 0.5: 0.7500; all-negative baseline: 0.6250",
		"![show_batch](show_batch.png)",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestWriteAndPlot(t *testing.T) {
	dir := t.TempDir()
	r := sample()
	if err := r.Write(dir); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(b)
	if err != nil || !reflect.DeepEqual(got.Args, r.Args) {
		t.Fatalf("report.json: %v %v", got, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "report.md")); err != nil {
		t.Error(err)
	}
	path := filepath.Join(dir, "losses.png")
	if err := PlotLosses(path, append(r.Phases, r.Phases[0])); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil || img.Bounds().Dx() < 100 {
		t.Errorf("losses.png: %v %v", img, err)
	}
	if err := PlotLosses(path, []*Phase{{Losses: []Float{Float(math.NaN())}}}); err == nil {
		t.Error("nothing to plot accepted")
	}
}

func TestDuration(t *testing.T) {
	for s, want := range map[float64]string{3.24: "3.2s", 65: "1m05s", 3725: "1h02m05s"} {
		if got := Duration(s); got != want {
			t.Errorf("Duration(%v) = %q, want %q", s, got, want)
		}
	}
}
