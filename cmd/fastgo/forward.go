package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/nn/pth"
	"github.com/fastgo/fastgo/tensor"
	"github.com/fastgo/fastgo/tensor/functional"
	"github.com/fastgo/fastgo/vision/cnn"
)

func init() {
	register(&command{
		name:    "forward",
		summary: "run a fastai-style model (.pth) in eval mode on an N×3×H×W .npy batch and write the logits",
		run:     runForward,
	})
}

// parseWidths reads "64,128,256,512": four channel counts in 1…4096. Errors are usage
// errors.
func parseWidths(s string) ([4]int, error) {
	var w [4]int
	parts := strings.Split(s, ",")
	if len(parts) != 4 {
		return w, usagef("-widths %q: want four comma-separated channel counts", s)
	}
	for i, p := range parts {
		v, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil || v < 1 || v > 4096 {
			return w, usagef("-widths %q: %q is not a channel count in 1…4096", s, p)
		}
		w[i] = v
	}
	return w, nil
}

func runForward(args []string) error {
	fs := newFlagSet("forward", "-model M.pth -input X.npy -output Y.npy [flags]",
		"Runs fastai's cnn_learner model (ResNet body + head) in eval mode on a float32 N×3×H×W batch\n"+
			"(.npy, NCHW as PyTorch takes it, already normalised) and writes the logits N×classes as .npy.\n"+
			"The state dict uses the cnn_learner names (0.0.weight … 1.8.weight), as torch.save(learn.model.state_dict()) writes them.\n\n"+
			"Example:\n  fastgo forward -arch resnet50 -model model.pth -input batch.npy -output logits.npy -classes 20")
	model := fs.String("model", "", "state dict (.pth) of the model")
	input := fs.String("input", "", "input batch (.npy, float32 N×3×H×W)")
	output := fs.String("output", "", "where to write the logits (.npy)")
	arch := fs.String("arch", "resnet34", "architecture: resnet18, resnet34 or resnet50")
	classes := fs.Int("classes", 20, "number of outputs of the head")
	widthsFlag := fs.String("widths", "64,128,256,512", "channels of the four stages (reduced-width variants for testing)")
	addConvFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *model == "" || *input == "" || *output == "" {
		return usagef("-model, -input and -output are required")
	}
	if *classes < 1 {
		return usagef("-classes must be ≥ 1")
	}
	a, err := nn.ArchByName(*arch)
	if err != nil {
		return usagef("-arch: %v", err)
	}
	widths, err := parseWidths(*widthsFlag)
	if err != nil {
		return err
	}
	// The weights come from -model; NewModel's initialisation is overwritten.
	c, err := cnn.NewModel(a, *classes, cnn.ModelOptions{Widths: widths})
	if err != nil {
		return err
	}
	sd, err := pth.Load(*model)
	if err != nil {
		return err
	}
	if err := nn.LoadStateDict(c, sd, nn.LoadOptions{AllowMissingCounts: true}); err != nil {
		return fmt.Errorf("%s: %w", *model, err)
	}
	x, err := tensor.LoadNPY(*input)
	if err != nil {
		return err
	}
	if s := x.Shape(); len(s) != 4 || s[1] != 3 || s[2] < 32 || s[3] < 32 {
		return fmt.Errorf("%s: input shape %v, want N×3×H×W with H, W ≥ 32", *input, s)
	}
	g := autograd.NewGraph(nil, autograd.NoGrad)
	logits := c.Forward(g, g.Input(functional.ToCNHW(x)))
	if err := tensor.SaveNPY(*output, logits.Value.Clone()); err != nil {
		return err
	}
	fmt.Printf("wrote %s: logits %v\n", *output, logits.Value.Shape())
	return nil
}
