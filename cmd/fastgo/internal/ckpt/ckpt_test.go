package ckpt

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/nn/pth"
	"github.com/fastgo/fastgo/optim"
	"github.com/fastgo/fastgo/optim/learner"
	"github.com/fastgo/fastgo/tensor"
)

func sample() *learner.Checkpoint {
	nan, inf := math.NaN(), math.Inf(1)
	return &learner.Checkpoint{
		Fit: "fit_one_cycle(n_epoch=4, lr_max=[0.05, 0.05, 0.05], ...)", FitIndex: 3, NEpoch: 4, Epoch: 2,
		TrainIter: 24, PctTrain: 0.5000000000000002,
		Model: map[string]*tensor.Tensor{
			"0.0.weight":                    tensor.FromData([]float32{1, -2, 3.5, 4}, 1, 1, 2, 2),
			"0.1.num_batches_tracked":       tensor.FromData([]float32{24}, 1),
			"0.1.running_mean":              tensor.FromData([]float32{0.25}, 1),
			"1.8.weight":                    tensor.FromData([]float32{float32(math.Inf(-1)), 7}, 2, 1),
			"0.4.0.bn1.num_batches_tracked": tensor.FromData([]float32{3}, 1),
		},
		Opt: optim.State{
			Tensors: map[string]*tensor.Tensor{"param.0.0.weight.grad_avg": tensor.FromData([]float32{0.1, 0.2, 0.3, 0.4}, 1, 1, 2, 2)},
			Scalars: map[string]float64{"group.0.lr": 1e-7 * math.Pi, "frozen_idx": 2, "param.0.0.weight.step": 24, "group.1.mom": nan},
		},
		Recorder: learner.RecorderState{SmoothVal: 0.6931472, SmoothCount: 24,
			LRs: []float64{1e-7, 2e-7}, Moms: []float64{0.95, 0.9499}, Losses: []float64{0.7, inf},
			Values: [][]float64{{0.7, nan, 0.5}, {0.6, 0.55, 0.75}}, Times: []float64{1.5, 2.25}},
		RandomStates: map[string][]byte{"model": {1, 2, 3}, "train": {0, 0, 0, 0, 0, 0, 0, 2}},
	}
}

// sameFloats compares bit patterns, so NaN equals NaN.
func sameFloats(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}

func TestRoundTrip(t *testing.T) {
	ck := sample()
	path := filepath.Join(t.TempDir(), "checkpoint.pth")
	order := []string{"0.0.weight", "0.1.running_mean", "0.1.num_batches_tracked"}
	if err := Save(path, ck, order, map[string]string{"fastgo.run": `{"stage":1}`}); err != nil {
		t.Fatal(err)
	}
	// The file is a plain state dict: model entries in the given order, then the rest
	// sorted, counts as int64 scalars.
	sd, err := pth.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"0.0.weight", "0.1.running_mean", "0.1.num_batches_tracked", "0.4.0.bn1.num_batches_tracked", "1.8.weight"}
	if got := sd.Names(); !reflect.DeepEqual(got, want) {
		t.Fatalf("entries %v, want %v", got, want)
	}
	if c := sd.Get("0.1.num_batches_tracked"); c.DType != pth.Int64 || len(c.Shape) != 0 || c.I64[0] != 24 {
		t.Errorf("count entry %+v", c)
	}

	got, meta, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if meta["fastgo.run"] != `{"stage":1}` || len(meta) != 1 {
		t.Errorf("meta %v", meta)
	}
	if got.Fit != ck.Fit || got.FitIndex != ck.FitIndex || got.NEpoch != ck.NEpoch || got.Epoch != ck.Epoch ||
		got.TrainIter != ck.TrainIter || got.PctTrain != ck.PctTrain {
		t.Errorf("header %+v", got)
	}
	if len(got.Model) != len(ck.Model) {
		t.Errorf("%d model tensors, want %d", len(got.Model), len(ck.Model))
	}
	for k, v := range ck.Model {
		g := got.Model[k]
		if g == nil || !tensor.ShapeEqual(g.Shape(), v.Shape()) || !reflect.DeepEqual(g.Data(), v.Data()) {
			t.Errorf("model %s: got %v, want %v %v", k, g, v.Shape(), v.Data())
		}
	}
	for k, v := range ck.Opt.Tensors {
		g := got.Opt.Tensors[k]
		if g == nil || !reflect.DeepEqual(g.Data(), v.Data()) || !tensor.ShapeEqual(g.Shape(), v.Shape()) {
			t.Errorf("optimizer %s: %v", k, g)
		}
	}
	for k, v := range ck.Opt.Scalars {
		if g, ok := got.Opt.Scalars[k]; !ok || math.Float64bits(g) != math.Float64bits(v) {
			t.Errorf("optimizer scalar %s = %v, want %v", k, g, v)
		}
	}
	r, w := got.Recorder, ck.Recorder
	if r.SmoothVal != w.SmoothVal || r.SmoothCount != w.SmoothCount || !sameFloats(r.LRs, w.LRs) ||
		!sameFloats(r.Moms, w.Moms) || !sameFloats(r.Losses, w.Losses) || !sameFloats(r.Times, w.Times) || len(r.Values) != len(w.Values) {
		t.Errorf("recorder %+v, want %+v", r, w)
	}
	for i := range w.Values {
		if !sameFloats(r.Values[i], w.Values[i]) {
			t.Errorf("recorder row %d = %v, want %v", i, r.Values[i], w.Values[i])
		}
	}
	if !reflect.DeepEqual(got.RandomStates, ck.RandomStates) {
		t.Errorf("random states %v", got.RandomStates)
	}
}

func TestEmptyRecorder(t *testing.T) {
	ck := sample()
	ck.Recorder = learner.RecorderState{}
	sd, err := Encode(ck, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "c.pth")
	if err := pth.Save(path, sd); err != nil {
		t.Fatal(err)
	}
	got, _, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Recorder.Values) != 0 || len(got.Recorder.LRs) != 0 {
		t.Errorf("recorder %+v", got.Recorder)
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := Encode(sample(), nil, map[string]string{MetaKey: "x"}); err == nil {
		t.Error("reserved meta key accepted")
	}
	bad := sample()
	bad.Recorder.Values = [][]float64{{1, 2}, {3}}
	if _, err := Encode(bad, nil, nil); err == nil || !strings.Contains(err.Error(), "row 1") {
		t.Errorf("ragged recorder: %v", err)
	}

	// A plain state dict (no checkpoint header) is refused with a clear message.
	plain := filepath.Join(dir, "model.pth")
	if err := pth.Save(plain, &pth.StateDict{Entries: []pth.Tensor{pth.NewF32("w", []int{1}, []float32{1})}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Load(plain); err == nil || !strings.Contains(err.Error(), "not a fastgo checkpoint") || !strings.Contains(err.Error(), plain) {
		t.Errorf("plain state dict: %v", err)
	}
	// Another format version is refused.
	sd, _ := Encode(sample(), nil, nil)
	sd.Meta[MetaKey] = strings.Replace(sd.Meta[MetaKey], `"format":1`, `"format":99`, 1)
	if _, _, err := Decode(sd); err == nil || !strings.Contains(err.Error(), "format 99") {
		t.Errorf("format: %v", err)
	}
	// A missing recorder entry is named.
	sd, _ = Encode(sample(), nil, nil)
	sd.Extra[groupRecorder] = sd.Extra[groupRecorder][1:]
	if _, _, err := Decode(sd); err == nil || !strings.Contains(err.Error(), `"lrs"`) {
		t.Errorf("missing lrs: %v", err)
	}
	// A missing file names the path.
	if _, _, err := Load(filepath.Join(dir, "none.pth")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
