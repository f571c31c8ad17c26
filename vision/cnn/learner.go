package cnn

import (
	"fmt"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/optim/learner"
	"github.com/fastgo/fastgo/optim/metrics"
	"github.com/fastgo/fastgo/vision"
)

// Config are cnn_learner's arguments besides the data and the architecture. The zero
// value is fastai's defaults for multi-label data: BCEWithLogitsLossFlat, no metrics, from scratch,
// torchvision's widths.
type Config struct {
	// Loss is the loss function (fastai loss_func); nil means autograd.BCEWithLogits.
	Loss learner.LossFunc
	// Metrics are the table's metric columns (fastai metrics).
	Metrics []metrics.Metric
	// Pretrained, Widths and Seed choose the weights (see ModelOptions).
	Pretrained string
	Widths     [4]int
	Seed       uint64
	// Threshold is the probability above which ShowResults predicts a label; 0 means 0.5
	// (fastai's BCEWithLogitsLossFlat thresh).
	Threshold float64
	// Single makes it a single-label learner (fastai's CategoryBlock): the loss defaults
	// to CrossEntropyLossFlat and ShowResults predicts each image's arg-max class.
	Single bool
	// Learner holds the generic learner's other settings (optimiser, output, progress,
	// callbacks, checkpoints); its Loss and Metrics are replaced by the fields above.
	Learner learner.Config
}

// Learner is a cnn_learner: the generic Learner (whose methods it has) with its
// network and data.
type Learner struct {
	*learner.Learner
	// CNN is the network (fastai's learn.model): Sequential(body, head).
	CNN *nn.CNN
	// Arch is the body's architecture.
	Arch nn.Arch
	// DLs are the data loaders the learner trains and validates on.
	DLs *vision.DataLoaders
	// Threshold is ShowResults' probability threshold (multi-label).
	Threshold float64
	// Single says the learner is single-label (see Config.Single).
	Single bool
	widths [4]int
}

// NewLearner is fastai's cnn_learner(dls, arch, …): it builds the model for the data's
// classes (see NewModel), wraps the loaders, creates the optimiser (Adam by default) over
// fastai's three layer groups — body[0:6] (stem, layer1, layer2), body[6:8] (layer3,
// layer4), head — and freezes the body as cnn_learner does (freeze(): the head and every
// batch norm train).
func NewLearner(dls *vision.DataLoaders, arch nn.Arch, cfg Config) (*Learner, error) {
	if dls == nil || dls.Train == nil {
		return nil, fmt.Errorf("cnn.NewLearner: no data loaders")
	}
	arch = arch.OrDefault()
	m, err := NewModel(arch, len(dls.Train.Vocab()), ModelOptions{Widths: cfg.Widths, Pretrained: cfg.Pretrained, Seed: cfg.Seed})
	if err != nil {
		return nil, err
	}
	lc := cfg.Learner
	lc.Loss, lc.Metrics = cfg.Loss, cfg.Metrics
	if lc.Loss == nil && cfg.Single {
		lc.Loss = autograd.CrossEntropy
	}
	var valid learner.Loader
	if dls.Valid != nil {
		valid = NewLoader(dls.Valid)
	}
	l, err := learner.New(AsModel(m), NewLoader(dls.Train), valid, lc)
	if err != nil {
		return nil, err
	}
	l.Freeze()
	th := cfg.Threshold
	if th == 0 {
		th = 0.5
	}
	return &Learner{Learner: l, CNN: m, Arch: arch, DLs: dls, Threshold: th, Single: cfg.Single, widths: cfg.Widths}, nil
}

// ShowResults is fastai's learn.show_results(max_n=maxN) written to path as a PNG (see
// the function ShowResults).
func (l *Learner) ShowResults(path string, maxN int) error {
	if l.DLs.Valid == nil {
		return fmt.Errorf("show_results: the learner has no validation data")
	}
	if l.Single {
		return ShowResultsSingle(l.CNN, l.DLs.Valid, path, maxN)
	}
	return ShowResults(l.CNN, l.DLs.Valid, path, maxN, l.Threshold)
}

// Info returns the ModelInfo that Save stores: the architecture, classes and the
// loader's image preparation.
func (l *Learner) Info() ModelInfo {
	o := l.DLs.Train.Options()
	return ModelInfo{Arch: l.Arch.Name, Widths: l.widths, Classes: l.DLs.Train.Vocab(), Size: o.Size,
		Resize: o.Resize, Mean: o.Mean, Std: o.Std, Single: l.Single}
}

// Activation is the loss's activation that get_preds and TTA apply to the model's
// outputs: softmax for a single-label learner, sigmoid for a multi-label one
// (learn.TTA(learner.DefaultTTA(learn.Activation())) is fastai's learn.tta()).
func (l *Learner) Activation() learner.Activation {
	if l.Single {
		return learner.Softmax
	}
	return learner.Sigmoid
}

// Save writes the model to path (fastai's learn.save without the optimiser state; see
// SaveModel); LoadModel reads it back.
func (l *Learner) Save(path string) error { return SaveModel(path, l.CNN, l.Info()) }

// ShowResults writes fastai's learn.show_results() to path: the first maxN images of the
// first validation batch of dl, each captioned with its target labels and, below, the
// labels the model predicts (σ(logit) > thresh; "(none)" when there is none). fastai
// draws a random validation batch; this one is fixed so that reruns and resumed runs draw
// the same picture. For a learner with a plain loss function fastai's predicted line is
// empty (it cannot decode the logits, SPEC §9); this one shows what the model predicts.
func ShowResults(m *nn.CNN, dl *vision.Loader, path string, maxN int, thresh float64) error {
	return showResults(m, dl, path, maxN, func(logits []float32, vocab []string) []string {
		var out []string
		for k, v := range logits {
			if metrics.Sigmoid(v) > float32(thresh) {
				out = append(out, vocab[k])
			}
		}
		return out
	})
}

// ShowResultsSingle is ShowResults for a single-label model: each image's prediction is
// its arg-max class (fastai's CrossEntropyLossFlat decodes with argmax).
func ShowResultsSingle(m *nn.CNN, dl *vision.Loader, path string, maxN int) error {
	return showResults(m, dl, path, maxN, func(logits []float32, vocab []string) []string {
		return []string{vocab[metrics.Argmax(logits)]}
	})
}

// showResults draws the grid with predict turning an image's logits into labels.
func showResults(m *nn.CNN, dl *vision.Loader, path string, maxN int, predict func(logits []float32, vocab []string) []string) error {
	pool := autograd.ProcessPool()
	for b, err := range dl.Epoch(0) {
		if err != nil {
			return fmt.Errorf("show_results: %w", err)
		}
		defer b.Release()
		g := autograd.NewGraph(pool, autograd.NoGrad)
		defer g.Release()
		logits := m.Forward(g, g.Input(b.X)).Value.Data()
		n, c, vocab := min(maxN, b.N), len(dl.Vocab()), dl.Vocab()
		images := make([]*vision.RGB, n)
		targets, predicted := make([][]string, n), make([][]string, n)
		for i := range n {
			images[i] = b.Image(i, nil)
			targets[i] = b.Labels(i)
			predicted[i] = predict(logits[i*c:][:c], vocab)
			if len(predicted[i]) == 0 {
				predicted[i] = []string{"(none)"}
			}
		}
		img, err := vision.ShowResults(images, targets, predicted)
		if err != nil {
			return err
		}
		return vision.SavePNG(path, img)
	}
	return fmt.Errorf("show_results: the validation loader has no batch")
}
