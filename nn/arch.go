package nn

import (
	"fmt"
	"strings"
)

// Arch names a torchvision ResNet variant: its number of blocks per stage and the block
// kind. Build one with NewResNetArch; fastai's cnn_learner model on it with NewCNN.
type Arch struct {
	// Name is torchvision's function name ("resnet34").
	Name string
	// Blocks is the number of residual blocks in each of the four stages.
	Blocks [4]int
	// Bottleneck selects torchvision's Bottleneck block (1×1, 3×3, 1×1 convolutions,
	// four times wider output); false is the BasicBlock (two 3×3 convolutions).
	Bottleneck bool
}

// The architectures fastgo builds, as torchvision defines them.
var (
	ResNet18 = Arch{Name: "resnet18", Blocks: [4]int{2, 2, 2, 2}}
	ResNet34 = Arch{Name: "resnet34", Blocks: [4]int{3, 4, 6, 3}}
	ResNet50 = Arch{Name: "resnet50", Blocks: [4]int{3, 4, 6, 3}, Bottleneck: true}
)

// Archs lists the supported architectures by name.
var Archs = []Arch{ResNet18, ResNet34, ResNet50}

// ArchByName returns the architecture called name ("resnet18", …); the empty name is
// ResNet34, the seed's.
func ArchByName(name string) (Arch, error) {
	if name == "" {
		return ResNet34, nil
	}
	var names []string
	for _, a := range Archs {
		if a.Name == strings.ToLower(name) {
			return a, nil
		}
		names = append(names, a.Name)
	}
	return Arch{}, fmt.Errorf("unknown architecture %q (have %s)", name, strings.Join(names, ", "))
}

// IsZero reports whether a is the zero Arch (callers read it as ResNet34).
func (a Arch) IsZero() bool { return a.Name == "" }

// OrDefault returns a, or ResNet34 when a is the zero Arch.
func (a Arch) OrDefault() Arch {
	if a.IsZero() {
		return ResNet34
	}
	return a
}

// String returns the name.
func (a Arch) String() string { return a.OrDefault().Name }

// Expansion is the ratio of a stage's output channels to its width: 4 for bottleneck
// blocks, 1 for basic blocks.
func (a Arch) Expansion() int {
	if a.Bottleneck {
		return 4
	}
	return 1
}

// Widths are torchvision's stage widths, the same for every ResNet.
var Widths = [4]int{64, 128, 256, 512}

// OutChannels returns the channels of the body's output for the given stage widths
// (zero: Widths).
func (a Arch) OutChannels(widths [4]int) int {
	if widths == [4]int{} {
		widths = Widths
	}
	return widths[3] * a.Expansion()
}
