// Package experiment runs fastgo's training programs end to end — the seed's whole
// PASCAL sequence (RunPascal) and single fits (RunTrain) — on top of the vision loaders,
// the nn model and the optim/learner Learner, with fastai's printed tables, a report
// (package report), PNGs, per-epoch checkpoints (package ckpt) and exact resuming.
//
// # Checkpoints and resuming
//
// After every epoch the run writes <out>/checkpoint.pth atomically: the Learner's
// checkpoint (model, optimiser, schedule position, recorder, random states: the
// dropout streams and the loaders' epoch counters) plus the run's own state — which
// learner of the sequence is running, the settings, and the report so far. A resumed
// run rebuilds the same loaders and learners, loads the checkpoint into the learner it
// was taken from, and repeats the program's calls: calls before the checkpointed fit
// are skipped by the Learner, that fit continues after the saved epoch, and everything
// after runs as in an uninterrupted run, which it matches number for number (the
// loaders draw every epoch's shuffle and augmentation from the seed and the epoch
// number, so the epoch counter is their whole state).
//
// Work done after the last checkpoint of an interrupted run is lost and redone; the
// report's wall time counts the work kept.
package experiment

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/cmd/fastgo/internal/ckpt"
	"github.com/fastgo/fastgo/cmd/fastgo/internal/report"
	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/optim/learner"
	"github.com/fastgo/fastgo/vision"
	"github.com/fastgo/fastgo/vision/cnn"
)

// ErrInterrupted is returned when the context was cancelled (Ctrl-C): the run stopped
// at the end of an epoch, after writing its checkpoint.
var ErrInterrupted = errors.New("interrupted")

// CheckpointFile is the checkpoint's name inside the output folder.
const CheckpointFile = "checkpoint.pth"

// CheckResume reports an error when out holds no checkpoint to resume from.
func CheckResume(out string) error {
	path := filepath.Join(out, CheckpointFile)
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("-resume: no checkpoint %s (run without -resume to start)", path)
	}
	return nil
}

// runKey is the checkpoint meta key holding the run's state.
const runKey = "fastgo.run"

// Options configure a run.
type Options struct {
	// Dataset is the data; Source describes it (a folder, or the built-in sample).
	Dataset *vision.Dataset
	Source  string
	Builtin bool
	// Loader are the data loader settings (batch size, sizes, seed, augmentation).
	Loader vision.LoaderOptions
	// Single makes the task single-label (one class per image): cross-entropy, accuracy
	// and error_rate, arg-max predictions and a confusion matrix; false is the seed's
	// multi-label task.
	Single bool
	// Model chooses the network; Seed its initialisation and dropout streams.
	Model ModelOptions
	Seed  uint64
	// LRFindIters is lr_find's num_it (fastai: 100).
	LRFindIters int
	// Out is the output folder (created if needed).
	Out string
	// Resume continues from Out's checkpoint.
	Resume bool
	// Command and Args are recorded in the report.
	Command string
	Args    []string
	// Stdout receives the tables and progress (nil: os.Stdout); Progress selects the
	// progress display.
	Stdout   io.Writer
	Progress learner.ProgressMode
	// Notes are warnings for the report.
	Notes []string
	// Settings are further settings a resumed run must share (the command's own).
	Settings map[string]string

	testHook func() // called after each checkpoint is taken (its file may still be being written)
}

// runState is the run's part of a checkpoint.
type runState struct {
	Stage    int               `json:"stage"`
	Settings map[string]string `json:"settings"`
	Report   json.RawMessage   `json:"report"`
}

// runner is one run in progress.
type runner struct {
	o            Options
	ctx          context.Context
	out          io.Writer
	rep          *report.Report
	train, valid *cnn.Loader
	dls          *vision.DataLoaders
	start        time.Time
	prevWall     float64
	settings     map[string]string
	resume       *learner.Checkpoint
	resumeStage  int
	preds        *preds
	stage        int
	order        []string
	plan         map[int]*report.Phase // fit index → phase, for the learner running
	current      *report.Phase
	learner      *learner.Learner
	saving       chan error // the checkpoint write in flight, nil when none
}

// newRunner prepares the loaders, the report and, with Resume, the checkpoint.
func newRunner(ctx context.Context, o Options) (*runner, error) {
	if o.Dataset == nil {
		return nil, fmt.Errorf("no data set")
	}
	if len(o.Dataset.Train) == 0 || len(o.Dataset.Valid) == 0 {
		return nil, fmt.Errorf("%s: %d training and %d validation images; both splits are needed", o.Source, len(o.Dataset.Train), len(o.Dataset.Valid))
	}
	if o.LRFindIters < 1 {
		o.LRFindIters = 100
	}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, err
	}
	dls, err := vision.NewDataLoaders(o.Dataset, o.Loader)
	if err != nil {
		return nil, err
	}
	if dls.Train.Len() == 0 {
		return nil, fmt.Errorf("%s: %d training images make no full batch of %d (fastai drops the last partial batch); lower -bs",
			o.Source, len(o.Dataset.Train), o.Loader.BatchSize)
	}
	r := &runner{o: o, ctx: ctx, out: o.Stdout, dls: dls, train: cnn.NewLoader(dls.Train), valid: cnn.NewLoader(dls.Valid),
		start: time.Now(), preds: &preds{classes: len(o.Dataset.Vocab)}}
	r.settings = r.makeSettings()
	r.rep = &report.Report{Command: o.Command, Args: o.Args, Started: r.start.UTC().Format(time.RFC3339),
		Machine: fmt.Sprintf("%s, %d threads, %s kernels", strings.TrimSpace(cpu.CPUName()), runtime.GOMAXPROCS(0), cpu.Active()),
		Data:    report.Data{Source: o.Source, Builtin: o.Builtin, Train: len(o.Dataset.Train), Valid: len(o.Dataset.Valid), Classes: o.Dataset.Vocab},
		Model:   report.Model{Arch: o.Model.Describe(), Pretrained: o.Model.Pretrained},
		Loader:  report.Loader{Size: o.Loader.Size, Resize: o.Loader.Resize, BatchSize: o.Loader.BatchSize, Seed: o.Loader.Seed},
		Notes:   o.Notes, Images: map[string]string{}, Models: map[string]string{}}
	if o.Resume {
		if err := r.loadCheckpoint(); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// makeSettings lists what a resumed run must share with the run it continues.
func (r *runner) makeSettings() map[string]string {
	o := r.o
	s := map[string]string{
		"command": o.Command, "data": o.Source,
		"images":  fmt.Sprintf("%d training, %d validation", len(o.Dataset.Train), len(o.Dataset.Valid)),
		"classes": strings.Join(o.Dataset.Vocab, " "),
		"size":    fmt.Sprint(o.Loader.Size), "resize": fmt.Sprint(o.Loader.Resize), "bs": fmt.Sprint(o.Loader.BatchSize),
		"seed": fmt.Sprint(o.Seed), "loader seed": fmt.Sprint(o.Loader.Seed),
		"arch": o.Model.Arch.String(), "widths": fmt.Sprint(o.Model.Widths), "pretrained": o.Model.Pretrained,
		"lr-find-iters": fmt.Sprint(o.LRFindIters),
	}
	if o.Single {
		s["task"] = "single"
	}
	for k, v := range o.Settings {
		s[k] = v
	}
	return s
}

// loadCheckpoint reads Out's checkpoint and the run state in it.
func (r *runner) loadCheckpoint() error {
	if err := CheckResume(r.o.Out); err != nil {
		return err
	}
	path := filepath.Join(r.o.Out, CheckpointFile)
	ck, meta, err := ckpt.Load(path)
	if err != nil {
		return fmt.Errorf("-resume: %w", err)
	}
	var st runState
	if err := json.Unmarshal([]byte(meta[runKey]), &st); err != nil {
		return fmt.Errorf("-resume: %s: run state: %v", path, err)
	}
	var diffs []string
	for _, k := range unionKeys(st.Settings, r.settings) {
		if st.Settings[k] != r.settings[k] {
			diffs = append(diffs, fmt.Sprintf("%s %q (now %q)", k, st.Settings[k], r.settings[k]))
		}
	}
	if len(diffs) > 0 {
		return fmt.Errorf("-resume: the checkpoint in %s was made with other settings: %s; give the same flags, or start afresh without -resume",
			r.o.Out, strings.Join(diffs, ", "))
	}
	rep, err := report.Decode(st.Report)
	if err != nil {
		return fmt.Errorf("-resume: %s: %w", path, err)
	}
	rep.Resumed++
	if rep.Images == nil {
		rep.Images = map[string]string{}
	}
	if rep.Models == nil {
		rep.Models = map[string]string{}
	}
	rep.Args, rep.Finished = r.o.Args, ""
	r.rep, r.resume, r.resumeStage, r.prevWall = rep, ck, st.Stage, rep.WallSeconds
	r.train.SetImages(rep.TrainImages)
	r.valid.SetImages(rep.ValidImages)
	fmt.Fprintf(r.out, "resuming from %s: learner %d, %s, after epoch %d of %d\n", path, st.Stage, ck.Fit, ck.Epoch, ck.NEpoch)
	return nil
}

func unionKeys(a, b map[string]string) []string {
	set := map[string]bool{}
	for k := range a {
		set[k] = true
	}
	for k := range b {
		set[k] = true
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// planned is a phase of a learner's program and the index of its fit among the
// learner's fits (lr_find included).
type planned struct {
	phase *report.Phase
	fit   int
}

// newLearner builds learner number stage over a fresh model, with its planned phases
// (taken from the restored report when they are there), resuming it when the checkpoint
// belongs to it. It returns the phases in plan order.
func (r *runner) newLearner(stage int, m *nn.CNN, cfg learner.Config, plan []planned) (*learner.Learner, []*report.Phase, error) {
	r.stage, r.current = stage, nil
	r.order = r.order[:0]
	nn.Walk(m, "", func(n nn.Named) { r.order = append(r.order, n.Name) })
	r.rep.Model.Params = nn.NumParams(m)
	cfg.Out = r.out
	cfg.Pool = autograd.ProcessPool() // one set of buffers for every learner of the run
	cfg.Progress = r.o.Progress
	cfg.OnCheckpoint = r.onCheckpoint
	cfg.Callbacks = append(cfg.Callbacks, r.preds, learner.CallbackFunc(r.track))
	l, err := learner.New(capturingModel{Model: cnn.AsModel(m), preds: r.preds}, r.train, r.valid, cfg)
	if err != nil {
		return nil, nil, err
	}
	r.learner = l
	r.plan = map[int]*report.Phase{}
	phases := make([]*report.Phase, len(plan))
	for i, pl := range plan {
		p := r.rep.Phase(pl.phase.Learner, pl.phase.Name)
		if p == nil {
			p = pl.phase
			r.rep.Phases = append(r.rep.Phases, p)
		}
		r.plan[pl.fit] = p
		phases[i] = p
	}
	if r.resume != nil && r.resumeStage == stage {
		if err := l.Resume(r.resume); err != nil {
			return nil, nil, fmt.Errorf("-resume: %w", err)
		}
	}
	return l, phases, nil
}

// track follows the fits: the phase whose fit starts, and its end.
func (r *runner) track(e learner.Event, l *learner.Learner) error {
	switch e {
	case learner.BeforeFit:
		r.current = r.plan[l.FitCount()-1]
	case learner.AfterEpoch:
		select {
		case <-r.ctx.Done():
			return ErrInterrupted
		default:
		}
	case learner.AfterFit:
		if p := r.current; p != nil {
			p.Done = true
			r.current = nil
			return r.writeReport()
		}
	}
	return nil
}

// onCheckpoint records the epoch in the report and writes the checkpoint.
func (r *runner) onCheckpoint(ck *learner.Checkpoint) error {
	p := r.current
	if p == nil {
		return fmt.Errorf("checkpoint outside a planned fit (%s)", ck.Fit)
	}
	p.Columns = append([]string(nil), r.learner.Recorder.Names...)
	rows := make([]report.Row, len(ck.Recorder.Values))
	for i, v := range ck.Recorder.Values {
		rows[i] = report.Row{Epoch: i, Values: report.Floats(v), Seconds: ck.Recorder.Times[i]}
		if i < len(p.Rows) {
			rows[i].MAP07, rows[i].MAP10 = p.Rows[i].MAP07, p.Rows[i].MAP10
		}
	}
	ev, err := evaluate(r.preds, r.o.Dataset.Vocab, r.o.Single)
	if err != nil {
		return err
	}
	ev.Learner, ev.Name = r.stage, "after "+p.Name
	last := &rows[len(rows)-1]
	last.MAP07, last.MAP10 = ev.MAP07, ev.MAP10
	p.Rows, p.Eval = rows, ev
	p.Losses, p.LRs = report.Floats(ck.Recorder.Losses), report.Floats(ck.Recorder.LRs)
	r.updateTotals()
	path := filepath.Join(r.o.Out, CheckpointFile)
	r.rep.Checkpoint = CheckpointFile
	b, err := json.Marshal(r.rep)
	if err != nil {
		return err
	}
	st, err := json.Marshal(runState{Stage: r.stage, Settings: r.settings, Report: b})
	if err != nil {
		return err
	}
	order, meta := slices.Clone(r.order), map[string]string{runKey: string(st)}
	if err := r.saveInBackground(func() error { return ckpt.Save(path, ck, order, meta) }); err != nil {
		return err
	}
	if r.o.testHook != nil {
		r.o.testHook()
	}
	return r.rep.Write(r.o.Out)
}

// saveInBackground starts save (writing a checkpoint) on its own goroutine once the
// previous one has finished, so that a checkpoint's encoding, writing and fsync overlap
// the next epoch instead of stopping training for them (2–3 s a checkpoint of ResNet34
// on a plain disk). ck is the Learner's copy, which training does not touch. The write
// stays atomic (nn/pth.Save: a temporary file, then a rename): a run killed meanwhile
// leaves the previous checkpoint. The previous write's error is returned.
func (r *runner) saveInBackground(save func() error) error {
	if err := r.waitSaved(); err != nil {
		return err
	}
	done := make(chan error, 1)
	r.saving = done
	go func() { done <- save() }()
	return nil
}

// waitSaved waits for the checkpoint write in flight, if any, and returns its error.
func (r *runner) waitSaved() error {
	if r.saving == nil {
		return nil
	}
	err := <-r.saving
	r.saving = nil
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// settle ends a run whose result is err: it waits for the checkpoint write in flight,
// whose error (the checkpoint an interrupted run stops at may be the one that failed)
// takes precedence.
func (r *runner) settle(err error) error {
	if serr := r.waitSaved(); serr != nil {
		return serr
	}
	return err
}

// updateTotals refreshes the wall time and image counts.
func (r *runner) updateTotals() {
	r.rep.WallSeconds = r.prevWall + time.Since(r.start).Seconds()
	r.rep.TrainImages, r.rep.ValidImages = r.train.Images(), r.valid.Images()
}

// writeReport writes report.json, report.md and the loss curves.
func (r *runner) writeReport() error {
	r.updateTotals()
	var done []*report.Phase
	for _, p := range r.rep.Phases {
		if len(p.Losses) > 0 {
			done = append(done, p)
		}
	}
	if len(done) > 0 {
		if err := report.PlotLosses(filepath.Join(r.o.Out, "losses.png"), done); err != nil {
			return err
		}
		r.rep.Images["loss curves"] = "losses.png"
	}
	return r.rep.Write(r.o.Out)
}

// saveModel writes m as a plain state dict with the data it needs for prediction.
func (r *runner) saveModel(m *nn.CNN, name, role string) error {
	info := cnn.ModelInfo{Arch: r.o.Model.Arch.String(), Widths: r.o.Model.Widths, Classes: r.o.Dataset.Vocab, Size: r.o.Loader.Size,
		Resize: r.o.Loader.Resize, Mean: r.o.Loader.Mean, Std: r.o.Loader.Std, Single: r.o.Single}
	if err := cnn.SaveModel(filepath.Join(r.o.Out, name), m, info); err != nil {
		return err
	}
	r.rep.Models[role] = name
	return nil
}

// lrFind runs lr_find and records it in phase p unless the call was skipped (resume).
func (r *runner) lrFind(l *learner.Learner, p *report.Phase, plot string) error {
	o := learner.DefaultLRFind()
	o.NumIt = r.o.LRFindIters
	o.PlotPath = filepath.Join(r.o.Out, plot)
	t0 := time.Now()
	res, err := l.LRFind(o)
	if err != nil {
		return err
	}
	if len(res.LRs) == 0 {
		return nil // done before the checkpoint
	}
	f := &report.LRFind{Iterations: len(res.LRs), Plot: plot, Seconds: time.Since(t0).Seconds()}
	if s := res.Suggested; s != nil {
		f.LRMin, f.LRSteep, f.Suggested = report.Float(s.LRMin), report.Float(s.LRSteep), true
	}
	p.LRFind = f
	return r.writeReport()
}

// finish closes the report.
func (r *runner) finish() error {
	r.rep.Finished = time.Now().UTC().Format(time.RFC3339)
	return r.writeReport()
}
