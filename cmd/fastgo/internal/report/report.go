// Package report holds the results of a fastgo training run — every phase's lr_find
// suggestions and epoch table, per-class average precision, the accuracy at thresholds
// 0.1…0.9, wall time and throughput — and writes them as report.json (for programs),
// report.md (for people) and a loss-curve PNG.
//
// A Report is plain data that survives a JSON round trip exactly (Float keeps NaN and
// ±Inf), so a run can store the report so far in its checkpoint and a resumed run can
// continue it.
package report

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
)

// Float is a float64 whose JSON form is a number, or the string "NaN", "Infinity" or
// "-Infinity" for the values JSON numbers cannot hold (null also reads as NaN).
type Float float64

// MarshalJSON implements json.Marshaler.
func (f Float) MarshalJSON() ([]byte, error) {
	v := float64(f)
	switch {
	case math.IsNaN(v):
		return []byte(`"NaN"`), nil
	case math.IsInf(v, 1):
		return []byte(`"Infinity"`), nil
	case math.IsInf(v, -1):
		return []byte(`"-Infinity"`), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// UnmarshalJSON implements json.Unmarshaler.
func (f *Float) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"NaN"`, "null":
		*f = Float(math.NaN())
		return nil
	case `"Infinity"`:
		*f = Float(math.Inf(1))
		return nil
	case `"-Infinity"`:
		*f = Float(math.Inf(-1))
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("report: %s is not a number", b)
	}
	*f = Float(v)
	return nil
}

// Floats converts a slice.
func Floats(x []float64) []Float {
	out := make([]Float, len(x))
	for i, v := range x {
		out[i] = Float(v)
	}
	return out
}

// Report is one run of a fastgo command.
type Report struct {
	Command string   `json:"command"`
	Args    []string `json:"args"`
	Started string   `json:"started"` // RFC 3339
	// Finished is empty while the run is in progress.
	Finished string   `json:"finished,omitempty"`
	Machine  string   `json:"machine"` // CPU, threads, SIMD path
	Data     Data     `json:"data"`
	Model    Model    `json:"model"`
	Loader   Loader   `json:"loader"`
	Notes    []string `json:"notes,omitempty"`
	Phases   []*Phase `json:"phases"`
	// Results holds each learner's final evaluation on the validation set.
	Results []*Eval `json:"results"`
	// Images names the PNG files written beside the report, by role.
	Images map[string]string `json:"images"`
	// Checkpoint is the last checkpoint file written.
	Checkpoint string `json:"checkpoint,omitempty"`
	// Models names the saved model state dicts, by role.
	Models map[string]string `json:"models,omitempty"`
	// Resumed counts the times the run was continued from a checkpoint.
	Resumed int `json:"resumed"`
	// WallSeconds is the run's wall time (over all its resumed parts, counting the work
	// kept in checkpoints); TrainImages and ValidImages count the images that went
	// through the model in training batches (lr_find included) and in validation.
	WallSeconds float64 `json:"wall_seconds"`
	TrainImages int64   `json:"train_images"`
	ValidImages int64   `json:"valid_images"`
}

// ImagesPerSecond is (train + valid images) / wall time.
func (r *Report) ImagesPerSecond() float64 {
	if r.WallSeconds <= 0 {
		return 0
	}
	return float64(r.TrainImages+r.ValidImages) / r.WallSeconds
}

// Data describes the data set.
type Data struct {
	Source  string   `json:"source"`
	Builtin bool     `json:"builtin"`
	Train   int      `json:"train"`
	Valid   int      `json:"valid"`
	Classes []string `json:"classes"`
}

// Model describes the network.
type Model struct {
	Arch       string `json:"arch"`
	Params     int    `json:"params"`
	Pretrained string `json:"pretrained,omitempty"`
}

// Loader is the data loader's settings.
type Loader struct {
	Size      int    `json:"size"`
	Resize    int    `json:"resize"`
	BatchSize int    `json:"batch_size"`
	Seed      uint64 `json:"seed"`
}

// Phase is one step of a sequence: an optional freeze call and lr_find, then one fit.
type Phase struct {
	Learner int    `json:"learner"`
	Name    string `json:"name"`
	// Freeze is the freeze call made first ("freeze()", "unfreeze()", "freeze_to(-2)"), if any.
	Freeze string  `json:"freeze,omitempty"`
	LRFind *LRFind `json:"lr_find,omitempty"`
	// Fit is the fit call as fastai writes it.
	Fit     string   `json:"fit"`
	Columns []string `json:"columns"`
	Rows    []Row    `json:"rows"`
	// Losses is the smoothed training loss after every batch, LRs the last group's lr.
	Losses []Float `json:"train_losses"`
	LRs    []Float `json:"lrs"`
	// Eval is the evaluation after the phase's last epoch.
	Eval *Eval `json:"eval,omitempty"`
	// Done is set when the fit finished.
	Done bool `json:"done"`
}

// Seconds is the phase's fit time (the sum of its epochs').
func (p *Phase) Seconds() float64 {
	s := 0.0
	for _, r := range p.Rows {
		s += r.Seconds
	}
	return s
}

// LRFind is one lr_find's outcome.
type LRFind struct {
	Iterations int     `json:"iterations"`
	LRMin      Float   `json:"lr_min"`
	LRSteep    Float   `json:"lr_steep"`
	Suggested  bool    `json:"suggested"`
	Plot       string  `json:"plot,omitempty"`
	Seconds    float64 `json:"seconds"`
}

// Row is one line of an epoch table.
type Row struct {
	Epoch int `json:"epoch"`
	// Values are train_loss, valid_loss and the metrics, as the table's columns.
	Values  []Float `json:"values"`
	Seconds float64 `json:"seconds"`
	// MAP07 and MAP10 are the epoch's validation mAP (not a column of fastai's table).
	MAP07 Float `json:"map_voc07"`
	MAP10 Float `json:"map_voc10"`
}

// Eval is an evaluation of a model on the validation set.
type Eval struct {
	Learner int      `json:"learner"`
	Name    string   `json:"name"`
	Classes []string `json:"classes"`
	// AP07 and AP10 are the per-class average precisions (VOC2007 11-point and VOC2010
	// area); a class without positives has NaN and is left out of the means.
	AP07  []Float `json:"ap_voc07"`
	AP10  []Float `json:"ap_voc10"`
	MAP07 Float   `json:"map_voc07"`
	MAP10 Float   `json:"map_voc10"`
	// Thresholds and Accuracy are accuracy_multi at each threshold (σ(logit) > t).
	Thresholds []float64 `json:"thresholds"`
	Accuracy   []Float   `json:"accuracy_multi"`
	// Baseline is the accuracy_multi of predicting no label at all.
	Baseline Float `json:"all_negative_baseline"`
	// ChanceMAP is the mAP a random ranking scores on average: the mean, over the classes
	// with positives, of their positive fraction.
	ChanceMAP Float `json:"chance_map"`
	Images    int   `json:"images"`
	// Single holds the single-label evaluation (nil for a multi-label task).
	Single *SingleEval `json:"single_label,omitempty"`
}

// SingleEval is a single-label task's evaluation: accuracy of the arg-max class and
// fastai's ClassificationInterpretation.
type SingleEval struct {
	Accuracy  Float `json:"accuracy"`
	ErrorRate Float `json:"error_rate"`
	// Confusion[a][p] counts the images of actual class a predicted as p.
	Confusion [][]int `json:"confusion_matrix"`
	// MostConfused are the largest off-diagonal cells, most first (at most ten).
	MostConfused []Confusion `json:"most_confused"`
	// Plot is the confusion matrix PNG, when written.
	Plot string `json:"plot,omitempty"`
}

// Confusion is one off-diagonal cell of a confusion matrix.
type Confusion struct {
	Actual    string `json:"actual"`
	Predicted string `json:"predicted"`
	Count     int    `json:"count"`
}

// Encode returns the report as indented JSON.
func (r *Report) Encode() ([]byte, error) {
	return json.MarshalIndent(r, "", "  ")
}

// Decode reads a report written by Encode.
func Decode(b []byte) (*Report, error) {
	r := &Report{}
	if err := json.Unmarshal(b, r); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	return r, nil
}

// Write saves report.json and report.md into dir (each through a temporary file and a
// rename).
func (r *Report) Write(dir string) error {
	b, err := r.Encode()
	if err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(dir, "report.json"), append(b, '\n')); err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, "report.md"), []byte(r.Markdown()))
}

func writeAtomic(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Phase returns the phase named name of learner, or nil.
func (r *Report) Phase(learner int, name string) *Phase {
	for _, p := range r.Phases {
		if p.Learner == learner && p.Name == name {
			return p
		}
	}
	return nil
}
