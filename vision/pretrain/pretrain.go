// Package pretrain trains a torchvision ResNet as a single-label classifier on a
// class-folder data set and saves it in torchvision's layout (conv1.weight …, fc.bias),
// the form of ImageNet's resnet34-b627a593.pth, so that fastgo's -pretrained (and
// torchvision's resnet34().load_state_dict) take it. It is the step fastgo pascal runs
// before the seed sequence on the built-in sample, with the generated data set of
// vision/synth.GeneratePretrain, to show transfer learning without ImageNet weights.
//
//	ds, _ := vision.FromFolder("data", vision.DefaultFolder())
//	res, _ := pretrain.Train(ds, pretrain.Default())
//	pretrain.Save("body.pth", nn.ResNet34, res.Net, ds.Vocab)
package pretrain

import (
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/nn/pth"
	"github.com/fastgo/fastgo/optim"
	"github.com/fastgo/fastgo/optim/learner"
	"github.com/fastgo/fastgo/optim/metrics"
	"github.com/fastgo/fastgo/vision"
	"github.com/fastgo/fastgo/vision/cnn"
)

// Options are a pretraining run's settings.
type Options struct {
	// Arch is the network (torchvision's ResNet variants); the zero Arch is ResNet34.
	Arch nn.Arch
	// Widths are the four stages' channels; zero means torchvision's.
	Widths [4]int
	// Epochs and LR are fit_one_cycle's, the whole network trained from scratch.
	Epochs int
	LR     float64
	// ZeroInitResidual starts every residual block's last batch norm at weight 0
	// (torchvision's zero_init_residual=True, nn.ZeroInitResidual).
	ZeroInitResidual bool
	// Loader is the data pipeline (batch size, sizes, augmentation).
	Loader vision.LoaderOptions
	Seed   uint64
	// Out receives the epoch table (nil: no output); Progress the progress display.
	Out      io.Writer
	Progress learner.ProgressMode
	// Pool supplies the graphs' buffers; nil means a new pool.
	Pool *autograd.Pool
	// Callbacks run at every event of the fit (a cancellation check, say).
	Callbacks []learner.Callback
}

// Default returns a small recipe: 64 px (Resize 80), batch size 32, fastai's
// augmentation, fit_one_cycle(3, 2e-3), the residual blocks' last batch norms starting
// at zero (fastgo pascal's built-in step sets its own sizes, epochs and lr).
func Default() Options {
	lo := vision.DefaultLoader()
	lo.BatchSize, lo.Resize, lo.Size = 32, 80, 64
	return Options{Epochs: 3, LR: 2e-3, Loader: lo, Seed: 1, ZeroInitResidual: true}
}

// Result is a finished pretraining.
type Result struct {
	Net *nn.ResNet
	// Accuracy is the validation accuracy after the last epoch (NaN without validation
	// images).
	Accuracy float64
	// Images counts the training and validation images that went through the network.
	Images int64
}

// Train trains o.Arch (with o.Widths) from scratch on ds, whose items must carry
// exactly one label each, with cross-entropy and fit_one_cycle(o.Epochs, o.LR), and
// returns it with its final validation accuracy. The network starts as torchvision
// initialises it, with zero_init_residual=True when o.ZeroInitResidual is set.
func Train(ds *vision.Dataset, o Options) (*Result, error) {
	if len(ds.Vocab) < 2 {
		return nil, fmt.Errorf("pretrain: %d classes, want at least 2", len(ds.Vocab))
	}
	for _, split := range [][]vision.Item{ds.Train, ds.Valid} {
		for _, it := range split {
			if len(it.Labels) != 1 {
				return nil, fmt.Errorf("pretrain: %s has %d labels; pretraining is single-label (one class per image)", it.Source, len(it.Labels))
			}
		}
	}
	w := o.Widths
	if w == [4]int{} {
		w = nn.Widths
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x9e7a1))
	net := nn.NewResNetArch(o.Arch.OrDefault(), w, len(ds.Vocab))
	nn.InitResNet(net, rng)
	if o.ZeroInitResidual {
		nn.ZeroInitResidual(net)
	}
	dls, err := vision.NewDataLoaders(ds, o.Loader)
	if err != nil {
		return nil, err
	}
	out, progress := o.Out, o.Progress
	if out == nil {
		out, progress = io.Discard, learner.ProgressOff
	}
	acc := metrics.NewAccuracy()
	tr, va := cnn.NewLoader(dls.Train), cnn.NewLoader(dls.Valid)
	var valid learner.Loader
	if len(ds.Valid) > 0 {
		valid = va
	}
	l, err := learner.New(&cnn.Classifier{Net: net}, tr, valid, learner.Config{Loss: autograd.CrossEntropy,
		Metrics: []metrics.Metric{acc, metrics.NewErrorRate()}, Out: out, Progress: progress, Pool: o.Pool, Callbacks: o.Callbacks})
	if err != nil {
		return nil, err
	}
	if err := l.FitOneCycle(o.Epochs, optim.LRValue(o.LR), learner.DefaultOneCycle()); err != nil {
		return nil, err
	}
	return &Result{Net: net, Accuracy: acc.Value(), Images: tr.Images() + va.Images()}, nil
}

// MetaKey is the metadata key under which Save records the classes (JSON), beside the
// tensors; torch ignores it.
const MetaKey = "fastgo.pretrain"

// Save writes net's state dict to path in torchvision's layout, with the architecture
// and class names in its metadata.
func Save(path string, arch nn.Arch, net *nn.ResNet, classes []string) error {
	sd := nn.StateDict(net)
	b, err := json.Marshal(map[string]any{"arch": arch.String(), "classes": classes})
	if err != nil {
		return err
	}
	sd.Meta = map[string]string{MetaKey: string(b)}
	return pth.Save(path, sd)
}
