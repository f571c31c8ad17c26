package experiment

import (
	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/vision/cnn"
)

// ModelOptions choose the network of a run's learners (see cnn.ModelOptions; the seed
// comes from Options.Seed).
type ModelOptions struct {
	// Arch is the body's architecture; the zero Arch is ResNet34.
	Arch nn.Arch
	// Widths are the stage widths; zero means torchvision's.
	Widths [4]int
	// Pretrained is a .pth file for the body (see cnn.ModelOptions).
	Pretrained string
}

// Describe names the network for reports.
func (o ModelOptions) Describe() string {
	return cnn.Describe(o.Arch.OrDefault(), o.Widths) + " (cnn_learner: torchvision body + fastai head)"
}

// NewModel builds fastai's cnn_learner model for classes outputs (see cnn.NewModel).
func NewModel(o ModelOptions, classes int, seed uint64) (*nn.CNN, error) {
	return cnn.NewModel(o.Arch, classes, cnn.ModelOptions{Widths: o.Widths, Pretrained: o.Pretrained, Seed: seed})
}
