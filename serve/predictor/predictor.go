// Package predictor runs a trained fastgo model on image files: it loads a cnn_learner
// state dict written by fastgo (model.pth from cnn.SaveModel, with its architecture,
// class names and input sizes in the file's metadata), prepares images exactly as the validation pipeline does
// (vision.Preprocessor), runs batches through the network in eval mode and turns the
// logits into per-class probabilities and labels as the model's task decodes them:
// independent sigmoids and the labels above a threshold for a multi-label model, the
// softmax and its most probable class for a single-label one (cnn.ModelInfo.Single).
//
// fastgo predict and fastgo serve both use it, so a served prediction is the same
// number as the command line's.
package predictor

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/nn/pth"
	"github.com/fastgo/fastgo/optim/metrics"
	"github.com/fastgo/fastgo/tensor"
	"github.com/fastgo/fastgo/vision"
	"github.com/fastgo/fastgo/vision/cnn"
)

// TaskMultiLabel names the multi-label task: independent per-class sigmoid
// probabilities, every class above the threshold is a label.
const TaskMultiLabel = "multi-label"

// TaskSingleLabel names the single-label task: softmax probabilities, the most probable
// class is the label.
const TaskSingleLabel = "single-label"

// CheckInfo reports what is missing or out of range in a saved model's description.
func CheckInfo(i cnn.ModelInfo) error {
	if _, err := nn.ArchByName(i.Arch); err != nil {
		return err
	}
	if len(i.Classes) == 0 {
		return fmt.Errorf("no class names")
	}
	for k, c := range i.Classes {
		if c == "" || slices.Index(i.Classes, c) != k {
			return fmt.Errorf("class %d %q is empty or repeated", k, c)
		}
	}
	if i.Size < 2 || i.Size > 4096 || i.Resize < 1 || i.Resize > 16384 {
		return fmt.Errorf("input size %d and resize %d: want 2…4096 and 1…16384", i.Size, i.Resize)
	}
	if i.Widths != [4]int{} {
		for _, w := range i.Widths {
			if w < 1 || w > 4096 {
				return fmt.Errorf("widths %v: every stage needs 1…4096 channels", i.Widths)
			}
		}
	}
	for c, s := range i.Std {
		if !(s > 0) || math.IsInf(float64(s), 0) || math.IsNaN(float64(i.Mean[c])) || math.IsInf(float64(i.Mean[c]), 0) {
			return fmt.Errorf("normalisation mean %v std %v: want finite means and positive stds", i.Mean, i.Std)
		}
	}
	return nil
}

// Options say how to read a model file.
type Options struct {
	// Arch, Classes, Widths and Size describe a file without fastgo's metadata (a
	// state dict saved by PyTorch): Classes is then required, a zero Arch means
	// ResNet34, zero Widths torchvision's and Size 0 means 224 (with fastai's Resize of
	// size·460/224 and ImageNet statistics).
	Arch    nn.Arch
	Classes []string
	Widths  [4]int
	// Size, when positive, also overrides the input size stored in the file.
	Size int
	// MaxPixels bounds width × height of the images accepted (checked from the header,
	// before decoding); 0 means vision.DefaultMaxPixels.
	MaxPixels int
}

// A Predictor is a loaded model ready to label images. Preprocess may be called from
// any number of goroutines; Forward calls are serialised (each one already spreads its
// work over cpu.Threads() goroutines).
type Predictor struct {
	info      cnn.ModelInfo
	path      string
	maxPixels int
	model     *nn.CNN
	// pre holds idle preprocessors (their decode and resize buffers are megabytes);
	// a free list rather than a sync.Pool, which every garbage collection empties: it
	// grows to the number of concurrent Preprocess calls and stays there.
	preMu sync.Mutex
	pre   []*vision.Preprocessor

	mu    sync.Mutex // one forward at a time; guards pools
	pools [2]sizedPool
}

// sizedPool is the buffer pool of the forward passes of one batch size. The autograd
// pool reuses buffers of the exact same length only, so a server that runs every batch
// size from 1 to its maximum would keep a set of activation buffers per size (for
// ResNet34 at 224 px, about 10 MB per image of each size: gigabytes). The predictor
// keeps the pools of the two sizes used last (at saturation, one of them is the full
// batch) and drops the older one: memory stays bounded by about two full batches.
type sizedPool struct {
	n    int
	pool *autograd.Pool
}

// poolFor returns the pool for batch size n, replacing the least recently used one.
func (p *Predictor) poolFor(n int) *autograd.Pool {
	if p.pools[0].n == n {
		return p.pools[0].pool
	}
	if p.pools[1].n == n {
		p.pools[0], p.pools[1] = p.pools[1], p.pools[0]
		return p.pools[0].pool
	}
	if old := p.pools[1].pool; old != nil {
		old.Drop()
	}
	p.pools[1] = p.pools[0]
	p.pools[0] = sizedPool{n: n, pool: autograd.NewPool()}
	return p.pools[0].pool
}

// Load reads a model file written by fastgo (or a cnn_learner state dict described by
// o) and returns its Predictor. Errors name the file and what is wrong with it.
func Load(path string, o Options) (*Predictor, error) {
	sd, err := pth.Load(path)
	if err != nil {
		return nil, err
	}
	info, ok, err := cnn.ReadModelInfo(sd)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !ok {
		if len(o.Classes) == 0 {
			return nil, fmt.Errorf("%s: no fastgo metadata in the file: give the class names (and the size and widths if not the defaults)", path)
		}
		info = cnn.ModelInfo{Arch: o.Arch.String(), Classes: o.Classes, Widths: o.Widths, Size: 224, Mean: vision.ImageNetMean, Std: vision.ImageNetStd}
		if o.Size > 0 {
			info.Size = o.Size
		}
		info.Resize = (info.Size*460 + 112) / 224
	} else if o.Size > 0 {
		info.Size = o.Size
	}
	if err := CheckInfo(info); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	arch, _ := nn.ArchByName(info.Arch)
	m, err := cnn.NewModel(arch, len(info.Classes), cnn.ModelOptions{Widths: info.Widths})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := nn.LoadStateDict(m, sd, nn.LoadOptions{AllowMissingCounts: true}); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	p, err := New(m, info, o.MaxPixels)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	// The loaded model only ever predicts: its folded weights and Winograd filters
	// are made once, not every batch.
	nn.KeepFolded(m, true)
	p.path = path
	return p, nil
}

// New returns a Predictor for a model already in memory, described by info (as
// cnn.Learner.Info gives it).
func New(m *nn.CNN, info cnn.ModelInfo, maxPixels int) (*Predictor, error) {
	if err := CheckInfo(info); err != nil {
		return nil, err
	}
	if maxPixels < 0 {
		return nil, fmt.Errorf("max pixels %d must not be negative", maxPixels)
	}
	p := &Predictor{info: info, model: m, maxPixels: maxPixels}
	p.info.Classes = slices.Clone(info.Classes)
	pp, err := p.preprocessor() // checks the sizes once
	if err != nil {
		return nil, err
	}
	p.pre = append(p.pre, pp)
	return p, nil
}

// Info returns the model's description.
func (p *Predictor) Info() cnn.ModelInfo { return p.info }

// Path is the file the model was loaded from ("" for New).
func (p *Predictor) Path() string { return p.path }

// Task is the kind of prediction made: TaskSingleLabel for a single-label model,
// TaskMultiLabel otherwise.
func (p *Predictor) Task() string {
	if p.info.Single {
		return TaskSingleLabel
	}
	return TaskMultiLabel
}

// Classes are the model's class names, in output order (do not modify).
func (p *Predictor) Classes() []string { return p.info.Classes }

// InputLen is the number of floats of one prepared image: 3×Size×Size.
func (p *Predictor) InputLen() int { return 3 * p.info.Size * p.info.Size }

func (p *Predictor) preprocessor() (*vision.Preprocessor, error) {
	p.preMu.Lock()
	if k := len(p.pre); k > 0 {
		pp := p.pre[k-1]
		p.pre = p.pre[:k-1]
		p.preMu.Unlock()
		return pp, nil
	}
	p.preMu.Unlock()
	lo := vision.LoaderOptions{Resize: p.info.Resize, Size: p.info.Size, Mean: p.info.Mean, Std: p.info.Std}
	return vision.NewPreprocessor(lo, p.maxPixels)
}

// Preprocess decodes one JPEG or PNG file's bytes and writes the prepared image (CHW,
// InputLen floats) into dst. Errors say what is wrong with the data.
func (p *Predictor) Preprocess(data []byte, dst []float32) error {
	pp, err := p.preprocessor()
	if err != nil {
		return err
	}
	defer func() {
		p.preMu.Lock()
		p.pre = append(p.pre, pp)
		p.preMu.Unlock()
	}()
	return pp.Preprocess(data, dst)
}

// Forward runs n prepared images through the network and writes their probabilities,
// n×len(Classes) values (image-major), into probs. x holds the images in the batch
// layout of vision.Batch.X: channel-major, then image (C×N×H×W), n·InputLen floats.
// A failure inside the network is returned as an error, not a panic.
func (p *Predictor) Forward(x []float32, n int, probs []float32) (err error) {
	c := len(p.info.Classes)
	if n < 1 || len(x) != n*p.InputLen() || len(probs) != n*c {
		return fmt.Errorf("predictor: %d images need %d input and %d output floats, got %d and %d", n, n*p.InputLen(), n*c, len(x), len(probs))
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	g := autograd.NewGraph(p.poolFor(n), autograd.NoGrad)
	defer g.Release()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("predictor: forward pass failed: %v", r)
		}
	}()
	s := p.info.Size
	logits := p.model.Forward(g, g.Input(tensor.FromData(x, 3, n, s, s))).Value.Data()
	if len(logits) != n*c {
		return fmt.Errorf("predictor: the network gave %d outputs for %d images of %d classes", len(logits), n, c)
	}
	if p.info.Single {
		for i := 0; i < n; i++ {
			softmax(probs[i*c:][:c], logits[i*c:][:c])
		}
		return nil
	}
	for i, l := range logits {
		probs[i] = metrics.Sigmoid(l)
	}
	return nil
}

// softmax writes the softmax of one row of logits into dst, computed in float64 from
// the row's maximum.
func softmax(dst, logits []float32) {
	m := math.Inf(-1)
	for _, v := range logits {
		m = math.Max(m, float64(v))
	}
	var s float64
	for _, v := range logits {
		s += math.Exp(float64(v) - m)
	}
	for k, v := range logits {
		dst[k] = float32(math.Exp(float64(v)-m) / s)
	}
}

// Check runs one grey image through the network and reports an error unless every
// probability is finite: a model that loads but cannot predict is refused.
func (p *Predictor) Check() error {
	x := make([]float32, p.InputLen())
	probs := make([]float32, len(p.info.Classes))
	if err := p.Forward(x, 1, probs); err != nil {
		return err
	}
	for k, v := range probs {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("predictor: class %s gives probability %v on a grey image", p.info.Classes[k], v)
		}
	}
	return nil
}

// Prediction is one image's result: every class's probability and the labels predicted.
type Prediction struct {
	// Labels are the classes whose probability exceeds the threshold, in class order.
	Labels []string `json:"labels"`
	// Probabilities maps every class to its probability.
	Probabilities map[string]float64 `json:"probabilities"`
}

// Decide turns one image's probabilities (len(Classes) values) into a Prediction: for a
// multi-label model a class is a label when its probability, compared in float32 as
// fastai does, exceeds thresh; a single-label model's label is its most probable class
// (thresh unused).
func (p *Predictor) Decide(probs []float32, thresh float64) Prediction {
	r := Prediction{Labels: []string{}, Probabilities: make(map[string]float64, len(p.info.Classes))}
	if p.info.Single {
		for k, name := range p.info.Classes {
			r.Probabilities[name] = float64(probs[k])
		}
		if k := metrics.Argmax(probs); k >= 0 {
			r.Labels = append(r.Labels, p.info.Classes[k])
		}
		return r
	}
	for k, name := range p.info.Classes {
		pr := probs[k]
		r.Probabilities[name] = float64(pr)
		if pr > float32(thresh) {
			r.Labels = append(r.Labels, name)
		}
	}
	return r
}

// ParseClasses splits a comma-separated list of class names.
func ParseClasses(s string) []string {
	var out []string
	for _, c := range strings.Split(s, ",") {
		out = append(out, strings.TrimSpace(c))
	}
	return out
}
