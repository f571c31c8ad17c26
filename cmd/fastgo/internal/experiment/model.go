package experiment

import (
	"fmt"
	"math/rand/v2"

	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/nn/pth"
)

// ModelOptions choose the network of a learner.
type ModelOptions struct {
	// Widths are the channels of ResNet34's four stages; zero means the real ResNet34
	// (64, 128, 256, 512). Smaller widths make quick test runs.
	Widths [4]int
	// Pretrained is a .pth file for the body: a torchvision ResNet34 state dict
	// (conv1.weight …, as ImageNet's resnet34-b627a593.pth) or a fastai/fastgo
	// cnn_learner state dict (0.0.weight …; its head is ignored). Empty: from scratch.
	Pretrained string
}

// FullWidths are ResNet34's channels.
var FullWidths = [4]int{64, 128, 256, 512}

// Arch names the network for reports.
func (o ModelOptions) Arch() string {
	if o.Widths == FullWidths || o.Widths == [4]int{} {
		return "resnet34 (cnn_learner: torchvision body + fastai head)"
	}
	return fmt.Sprintf("resnet34 with widths %v (reduced, for quick tests)", o.Widths)
}

// NewModel builds fastai's cnn_learner model for classes outputs: the body initialised
// as torchvision does and the head as fastai does, all from seed, then the body loaded
// from o.Pretrained when set.
func NewModel(o ModelOptions, classes int, seed uint64) (*nn.CNN, error) {
	if classes < 1 {
		return nil, fmt.Errorf("a model needs at least one class, the data has %d", classes)
	}
	w := o.Widths
	if w == [4]int{} {
		w = FullWidths
	}
	for _, c := range w {
		if c < 1 {
			return nil, fmt.Errorf("widths %v: every stage needs at least one channel", w)
		}
	}
	var m *nn.CNN
	if w == FullWidths {
		m = nn.NewResNet34CNN(classes, seed)
	} else {
		rng := rand.New(rand.NewPCG(seed, 0x5eed))
		arch := nn.NewResNet(nn.ResNet34Blocks, w, 1000)
		nn.InitResNet(arch, rng)
		m = nn.NewCNN(arch, classes, rng, seed)
	}
	if o.Pretrained != "" {
		if err := LoadBody(m, o.Pretrained); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// LoadBody loads a pretrained body from path (see ModelOptions.Pretrained).
func LoadBody(m *nn.CNN, path string) error {
	sd, err := pth.Load(path)
	if err != nil {
		return fmt.Errorf("-pretrained: %w", err)
	}
	if sd.Get("conv1.weight") != nil {
		err = nn.LoadPretrainedBody(m, sd)
	} else {
		err = nn.LoadStateDict(nn.NewSequential(m.Body), sd, nn.LoadOptions{IgnoreUnexpected: true, AllowMissingCounts: true})
	}
	if err != nil {
		return fmt.Errorf("-pretrained %s: %w", path, err)
	}
	return nil
}
