package cnn

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"

	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/nn/pth"
)

// ModelOptions choose the network of a cnn learner besides its architecture.
type ModelOptions struct {
	// Widths are the channels of the four stages; zero means torchvision's (64, 128,
	// 256, 512). Smaller widths make quick test runs.
	Widths [4]int
	// Pretrained is a .pth file for the body: a torchvision ResNet state dict of the same
	// architecture (conv1.weight …, as ImageNet's resnet34-b627a593.pth) or a fastai or
	// fastgo cnn_learner state dict (0.0.weight …; its head is ignored). Empty: from
	// scratch.
	Pretrained string
	// Seed seeds the initialisation and the dropout streams.
	Seed uint64
}

// Describe names the network for reports: "resnet34", or the reduced widths.
func Describe(arch nn.Arch, widths [4]int) string {
	if widths == nn.Widths || widths == [4]int{} {
		return arch.String()
	}
	return fmt.Sprintf("%s with widths %v (reduced, for quick tests)", arch, widths)
}

// NewModel builds fastai's cnn_learner model on arch for classes outputs: the body
// initialised as torchvision does and the head as fastai does, all from o.Seed, then the
// body loaded from o.Pretrained when set.
func NewModel(arch nn.Arch, classes int, o ModelOptions) (*nn.CNN, error) {
	if classes < 1 {
		return nil, fmt.Errorf("a model needs at least one class, the data has %d", classes)
	}
	w := o.Widths
	if w == [4]int{} {
		w = nn.Widths
	}
	for _, c := range w {
		if c < 1 {
			return nil, fmt.Errorf("widths %v: every stage needs at least one channel", w)
		}
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	body := nn.NewResNetArch(arch.OrDefault(), w, 1000)
	nn.InitResNet(body, rng)
	m := nn.NewCNN(body, classes, rng, o.Seed)
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
		return fmt.Errorf("pretrained weights: %w", err)
	}
	if sd.Get("conv1.weight") != nil {
		err = nn.LoadPretrainedBody(m, sd)
	} else {
		err = nn.LoadStateDict(nn.NewSequential(m.Body), sd, nn.LoadOptions{IgnoreUnexpected: true, AllowMissingCounts: true})
	}
	if err != nil {
		return fmt.Errorf("pretrained weights %s: %w", path, err)
	}
	return nil
}

// ModelKey is the metadata key of saved models that holds their ModelInfo (JSON).
const ModelKey = "fastgo.model"

// ModelInfo describes a saved model: what a program needs to rebuild it and to
// prepare images for it.
type ModelInfo struct {
	// Arch is the architecture's name; empty in files of older fastgo versions, which
	// were all resnet34.
	Arch    string     `json:"arch,omitempty"`
	Widths  [4]int     `json:"widths"`
	Classes []string   `json:"classes"`
	Size    int        `json:"size"`
	Resize  int        `json:"resize"`
	Mean    [3]float32 `json:"mean"`
	Std     [3]float32 `json:"std"`
	// Single marks a single-label model: predictions are the softmax's arg-max class
	// rather than every label whose sigmoid passes a threshold.
	Single bool `json:"single,omitempty"`
}

// SaveModel writes m to path as a PyTorch state dict (loadable by torch.load and by
// fastai's learn.model) with info in its metadata.
func SaveModel(path string, m *nn.CNN, info ModelInfo) error {
	sd := nn.StateDict(m)
	b, err := json.Marshal(info)
	if err != nil {
		return err
	}
	sd.Meta = map[string]string{ModelKey: string(b)}
	return pth.Save(path, sd)
}

// ReadModelInfo returns the ModelInfo stored in a saved model's metadata; ok is false
// when there is none (a file not written by SaveModel).
func ReadModelInfo(sd *pth.StateDict) (info ModelInfo, ok bool, err error) {
	raw, ok := sd.Meta[ModelKey]
	if !ok {
		return info, false, nil
	}
	if err := json.Unmarshal([]byte(raw), &info); err != nil {
		return info, true, fmt.Errorf("metadata %s: %v", ModelKey, err)
	}
	if _, err := nn.ArchByName(info.Arch); err != nil {
		return info, true, fmt.Errorf("metadata %s: %v", ModelKey, err)
	}
	return info, true, nil
}

// LoadModel rebuilds a model saved by SaveModel (or Learner.Save) and loads its weights.
func LoadModel(path string) (*nn.CNN, ModelInfo, error) {
	sd, err := pth.Load(path)
	if err != nil {
		return nil, ModelInfo{}, err
	}
	info, ok, err := ReadModelInfo(sd)
	if err != nil {
		return nil, info, fmt.Errorf("%s: %w", path, err)
	}
	if !ok {
		return nil, info, fmt.Errorf("%s: no %s metadata (not saved by fastgo); rebuild the model with NewModel and load it with nn.LoadStateDict", path, ModelKey)
	}
	arch, _ := nn.ArchByName(info.Arch)
	m, err := NewModel(arch, len(info.Classes), ModelOptions{Widths: info.Widths})
	if err != nil {
		return nil, info, fmt.Errorf("%s: %w", path, err)
	}
	if err := nn.LoadStateDict(m, sd, nn.LoadOptions{}); err != nil {
		return nil, info, fmt.Errorf("%s: %w", path, err)
	}
	return m, info, nil
}
