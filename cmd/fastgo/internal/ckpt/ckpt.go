// Package ckpt stores the Learner's checkpoints (optim/learner.Checkpoint) as PyTorch
// .pth files that stay plain state dicts for PyTorch users:
//
//	torch.load("checkpoint.pth")   → OrderedDict of the model's weights and buffers
//	                                  (0.0.weight … 1.8.weight, num_batches_tracked as int64)
//
// Everything else rides in the records that torch ignores (nn/pth's Extra and Meta):
//
//	fastgo/optimizer.pkl         the optimiser's moments: param.<name>.grad_avg|sqr_avg (float32)
//	fastgo/optimizer_scalars.pkl its scalars: hyper-parameters, steps, has_grad, frozen_idx
//	                             (one float64 0-dim tensor each, so NaN and ±Inf survive)
//	fastgo/recorder.pkl          the fit's records: lrs, moms, losses, times (float64 [n]),
//	                             values (float64 [epochs, columns]), smooth_val (float32)
//	fastgo/meta.json             "fastgo.checkpoint": the fit, epoch, schedule position and
//	                             random states (JSON); the caller's own keys beside it
//
// Files are written atomically (nn/pth.Save: a temporary file, then a rename), so a
// crash leaves either the previous checkpoint or the new one, never half of one.
package ckpt

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"

	"github.com/fastgo/fastgo/nn/pth"
	"github.com/fastgo/fastgo/optim"
	"github.com/fastgo/fastgo/optim/learner"
	"github.com/fastgo/fastgo/tensor"
)

// MetaKey is the Meta key holding the checkpoint's own fields; callers may add other
// keys.
const MetaKey = "fastgo.checkpoint"

// Format is the version of the layout written by Encode.
const Format = 1

const (
	groupOpt      = "optimizer"
	groupScalars  = "optimizer_scalars"
	groupRecorder = "recorder"
	countSuffix   = "num_batches_tracked"
)

// header is the JSON stored under MetaKey.
type header struct {
	Format       int               `json:"format"`
	Fit          string            `json:"fit"`
	FitIndex     int               `json:"fit_index"`
	NEpoch       int               `json:"n_epoch"`
	Epoch        int               `json:"epoch"`
	TrainIter    int               `json:"train_iter"`
	PctTrain     float64           `json:"pct_train"`
	SmoothCount  int               `json:"smooth_count"`
	Columns      int               `json:"columns"`
	RandomStates map[string][]byte `json:"random_states"`
}

// Encode turns ck into a state dict: the model's tensors as entries (in the order of
// names that appear in order, then the rest sorted; entries named *.num_batches_tracked
// become int64 scalars), the rest in Extra and Meta. meta adds the caller's keys (MetaKey
// is reserved). The tensors are not copied.
func Encode(ck *learner.Checkpoint, order []string, meta map[string]string) (*pth.StateDict, error) {
	if ck == nil {
		return nil, fmt.Errorf("ckpt.Encode: nil checkpoint")
	}
	if _, ok := meta[MetaKey]; ok {
		return nil, fmt.Errorf("ckpt.Encode: meta key %q is reserved", MetaKey)
	}
	sd := &pth.StateDict{Meta: map[string]string{}, Extra: map[string][]pth.Tensor{}}
	for _, name := range orderedNames(ck.Model, order) {
		t := ck.Model[name]
		if t == nil {
			return nil, fmt.Errorf("ckpt.Encode: model entry %q is nil", name)
		}
		if strings.HasSuffix(name, countSuffix) {
			if t.Len() != 1 {
				return nil, fmt.Errorf("ckpt.Encode: %s has %d elements, want 1", name, t.Len())
			}
			sd.Add(pth.NewI64(name, nil, []int64{int64(t.Data()[0])}))
			continue
		}
		sd.Add(pth.NewF32(name, t.Shape(), t.Data()))
	}
	for _, k := range slices.Sorted(maps.Keys(ck.Opt.Tensors)) {
		t := ck.Opt.Tensors[k]
		sd.Extra[groupOpt] = append(sd.Extra[groupOpt], pth.NewF32(k, t.Shape(), t.Data()))
	}
	for _, k := range slices.Sorted(maps.Keys(ck.Opt.Scalars)) {
		sd.Extra[groupScalars] = append(sd.Extra[groupScalars], f64(k, nil, []float64{ck.Opt.Scalars[k]}))
	}
	r := ck.Recorder
	cols := 0
	if len(r.Values) > 0 {
		cols = len(r.Values[0])
	}
	values := make([]float64, 0, len(r.Values)*cols)
	for i, row := range r.Values {
		if len(row) != cols {
			return nil, fmt.Errorf("ckpt.Encode: recorder row %d has %d values, row 0 has %d", i, len(row), cols)
		}
		values = append(values, row...)
	}
	sd.Extra[groupRecorder] = []pth.Tensor{
		f64("lrs", []int{len(r.LRs)}, r.LRs), f64("moms", []int{len(r.Moms)}, r.Moms),
		f64("losses", []int{len(r.Losses)}, r.Losses), f64("times", []int{len(r.Times)}, r.Times),
		f64("values", []int{len(r.Values), cols}, values),
		pth.NewF32("smooth_val", nil, []float32{r.SmoothVal}),
	}
	h := header{Format: Format, Fit: ck.Fit, FitIndex: ck.FitIndex, NEpoch: ck.NEpoch, Epoch: ck.Epoch,
		TrainIter: ck.TrainIter, PctTrain: ck.PctTrain, SmoothCount: r.SmoothCount, Columns: cols,
		RandomStates: ck.RandomStates}
	if math.IsNaN(h.PctTrain) || math.IsInf(h.PctTrain, 0) {
		return nil, fmt.Errorf("ckpt.Encode: schedule position %v is not finite", h.PctTrain)
	}
	b, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("ckpt.Encode: %w", err)
	}
	for k, v := range meta {
		sd.Meta[k] = v
	}
	sd.Meta[MetaKey] = string(b)
	return sd, nil
}

// Decode reads a checkpoint back from a state dict written by Encode and returns it
// with the caller's meta keys. Errors name what is missing or malformed.
func Decode(sd *pth.StateDict) (*learner.Checkpoint, map[string]string, error) {
	raw, ok := sd.Meta[MetaKey]
	if !ok {
		return nil, nil, fmt.Errorf("not a fastgo checkpoint (no %q in its fastgo/meta.json)", MetaKey)
	}
	var h header
	if err := json.Unmarshal([]byte(raw), &h); err != nil {
		return nil, nil, fmt.Errorf("checkpoint header: %w", err)
	}
	if h.Format != Format {
		return nil, nil, fmt.Errorf("checkpoint format %d, this fastgo reads format %d", h.Format, Format)
	}
	ck := &learner.Checkpoint{Fit: h.Fit, FitIndex: h.FitIndex, NEpoch: h.NEpoch, Epoch: h.Epoch,
		TrainIter: h.TrainIter, PctTrain: h.PctTrain, Model: map[string]*tensor.Tensor{},
		Opt:          optim.State{Tensors: map[string]*tensor.Tensor{}, Scalars: map[string]float64{}},
		RandomStates: h.RandomStates}
	if ck.RandomStates == nil {
		ck.RandomStates = map[string][]byte{}
	}
	for i := range sd.Entries {
		e := &sd.Entries[i]
		if err := e.Validate(); err != nil {
			return nil, nil, fmt.Errorf("model entry: %w", err)
		}
		ck.Model[e.Name] = tensor.FromData(append([]float32(nil), e.Float32s()...), shapeOf(e.Shape)...)
	}
	for _, e := range sd.Extra[groupOpt] {
		if e.DType != pth.Float32 {
			return nil, nil, fmt.Errorf("optimizer tensor %s is %v, want float32", e.Name, e.DType)
		}
		ck.Opt.Tensors[e.Name] = tensor.FromData(e.F32, shapeOf(e.Shape)...)
	}
	for _, e := range sd.Extra[groupScalars] {
		if e.DType != pth.Float64 || len(e.F64) != 1 {
			return nil, nil, fmt.Errorf("optimizer scalar %s is %v %v, want one float64", e.Name, e.DType, e.Shape)
		}
		ck.Opt.Scalars[e.Name] = e.F64[0]
	}
	rec := map[string]*pth.Tensor{}
	for i := range sd.Extra[groupRecorder] {
		rec[sd.Extra[groupRecorder][i].Name] = &sd.Extra[groupRecorder][i]
	}
	vec := func(name string) ([]float64, error) {
		t := rec[name]
		if t == nil || t.DType != pth.Float64 {
			return nil, fmt.Errorf("recorder entry %q is missing or not float64", name)
		}
		return t.F64, nil
	}
	var err error
	r := &ck.Recorder
	if r.LRs, err = vec("lrs"); err != nil {
		return nil, nil, err
	}
	if r.Moms, err = vec("moms"); err != nil {
		return nil, nil, err
	}
	if r.Losses, err = vec("losses"); err != nil {
		return nil, nil, err
	}
	if r.Times, err = vec("times"); err != nil {
		return nil, nil, err
	}
	values, err := vec("values")
	if err != nil {
		return nil, nil, err
	}
	if h.Columns < 0 || h.Columns == 0 && len(values) > 0 || h.Columns > 0 && len(values)%h.Columns != 0 {
		return nil, nil, fmt.Errorf("recorder values: %d numbers in rows of %d", len(values), h.Columns)
	}
	for i := 0; i+h.Columns <= len(values) && h.Columns > 0; i += h.Columns {
		r.Values = append(r.Values, values[i:i+h.Columns])
	}
	sv := rec["smooth_val"]
	if sv == nil || sv.DType != pth.Float32 || len(sv.F32) != 1 {
		return nil, nil, fmt.Errorf("recorder entry %q is missing or not one float32", "smooth_val")
	}
	r.SmoothVal, r.SmoothCount = sv.F32[0], h.SmoothCount
	meta := map[string]string{}
	for k, v := range sd.Meta {
		if k != MetaKey {
			meta[k] = v
		}
	}
	return ck, meta, nil
}

// Save writes ck (see Encode) atomically to path.
func Save(path string, ck *learner.Checkpoint, order []string, meta map[string]string) error {
	sd, err := Encode(ck, order, meta)
	if err != nil {
		return err
	}
	return pth.Save(path, sd)
}

// Load reads a checkpoint file written by Save. Errors name the file.
func Load(path string) (*learner.Checkpoint, map[string]string, error) {
	sd, err := pth.Load(path)
	if err != nil {
		return nil, nil, err
	}
	ck, meta, err := Decode(sd)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return ck, meta, nil
}

// orderedNames returns the keys of m: those listed in order first, in that order, then
// the others sorted.
func orderedNames(m map[string]*tensor.Tensor, order []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range order {
		if _, ok := m[n]; ok && !seen[n] {
			out = append(out, n)
			seen[n] = true
		}
	}
	for _, n := range slices.Sorted(maps.Keys(m)) {
		if !seen[n] {
			out = append(out, n)
		}
	}
	return out
}

func f64(name string, shape []int, data []float64) pth.Tensor {
	if data == nil {
		data = []float64{}
	}
	return pth.Tensor{Name: name, Shape: append([]int{}, shape...), DType: pth.Float64, F64: data}
}

// shapeOf maps a 0-dim shape to [1], as the Learner's tensors have no 0-dim form.
func shapeOf(s []int) []int {
	if len(s) == 0 {
		return []int{1}
	}
	return s
}
