package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/fastgo/fastgo/serve/predictor"
	"github.com/fastgo/fastgo/vision"
)

func init() {
	register(&command{
		name:    "predict",
		summary: "label images with a trained model (.pth from fastgo pascal/train): labels and probabilities",
		run:     runPredict,
	})
}

// prediction is one image's result.
type prediction struct {
	Image         string             `json:"image"`
	Labels        []string           `json:"labels"`
	Probabilities map[string]float64 `json:"probabilities"`
}

func runPredict(args []string) error {
	fs := newFlagSet("predict", "-model M.pth [flags] IMAGES...",
		"Runs a cnn_learner model saved by fastgo pascal or fastgo train (model.pth) on images, as fastai's\n"+
			"validation pipeline prepares them (centre crop, Resize, normalise), and prints for each image the\n"+
			"labels whose probability σ(logit) exceeds -thresh, with the probabilities; for a single-label\n"+
			"model (trained on class folders, IDX data or one label per row) the softmax's most probable class.\n\n"+
			"Example:\n  fastgo predict -model out/pascal/model.pth photo1.jpg photo2.jpg -thresh 0.4 -json")
	model := fs.String("model", "", "model state dict written by fastgo (model.pth)")
	thresh := fs.Float64("thresh", 0.5, "probability above which a label is predicted")
	asJSON := fs.Bool("json", false, "print one JSON object per image instead of text")
	bs := fs.Int("bs", 16, "images per batch")
	classes := fs.String("classes", "", "comma-separated class names, for a model file without fastgo's metadata")
	size := fs.Int("size", 0, "input side, for a model file without fastgo's metadata (0: 224)")
	arch := fs.String("arch", "resnet34", "architecture (resnet18, resnet34, resnet50), for a model file without fastgo's metadata")
	widths := fs.String("widths", "64,128,256,512", "stage widths, for a model file without fastgo's metadata")
	prec := addPrecisionFlag(fs)
	addConvFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if _, err := setPrecision(*prec); err != nil {
		return err
	}
	if *model == "" {
		return usagef("-model M.pth is required")
	}
	if fs.NArg() == 0 {
		return usagef("no images given")
	}
	if !(*thresh > 0 && *thresh < 1) {
		return usagef("-thresh %g: want a probability strictly between 0 and 1", *thresh)
	}
	if *bs < 1 || *size < 0 {
		return usagef("-bs must be at least 1 and -size not negative")
	}
	if _, err := os.Stat(*model); err != nil {
		return usagef("-model %s: %s", *model, errText(err))
	}
	items := make([]vision.Item, fs.NArg())
	for i, p := range fs.Args() {
		if st, err := os.Stat(p); err != nil || st.IsDir() {
			if err == nil {
				return usagef("image %s: is a folder", p)
			}
			return usagef("image %s: %s", p, errText(err))
		}
		items[i] = vision.Item{Path: p, Source: fmt.Sprintf("image %d", i+1)}
	}
	po := predictor.Options{Size: *size}
	if *classes != "" {
		// only a file without fastgo's metadata uses them
		mo, err := (&dataFlags{arch: *arch, widths: *widths}).modelOptions()
		if err != nil {
			return err
		}
		po.Arch, po.Widths, po.Classes = mo.Arch, mo.Widths, predictor.ParseClasses(*classes)
	}
	pr, err := predictor.Load(*model, po)
	if err != nil {
		return fmt.Errorf("-model %w", err)
	}
	info := pr.Info()
	lo := vision.DefaultLoader()
	lo.BatchSize, lo.Size, lo.Resize, lo.Mean, lo.Std = *bs, info.Size, info.Resize, info.Mean, info.Std
	dl, err := vision.NewLoader(items, info.Classes, false, lo)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	c := len(info.Classes)
	probs := make([]float32, *bs*c)
	for b, err := range dl.Epoch(0) {
		if err != nil {
			return err
		}
		// the loader's validation batches are bit-identical to predictor.Preprocess
		// (vision's tests), so these are fastgo serve's numbers
		if err := pr.Forward(b.X.Data(), b.N, probs[:b.N*c]); err != nil {
			return err
		}
		for i := range b.N {
			d := pr.Decide(probs[i*c:][:c], *thresh)
			p := prediction{Image: items[b.Items[i]].Path, Probabilities: d.Probabilities, Labels: d.Labels}
			if *asJSON {
				if err := enc.Encode(p); err != nil {
					return err
				}
			} else {
				fmt.Println(p.text(*thresh, pr.Task() == predictor.TaskSingleLabel))
			}
		}
		b.Release()
	}
	return nil
}

// text writes "path: person 0.93, dog 0.61" (labels by decreasing probability), or the
// most probable class when none passes the threshold; for a single-label model
// "path: cat 0.93 (dog 0.05)", the class and the runner-up.
func (p prediction) text(thresh float64, single bool) string {
	names := make([]string, 0, len(p.Probabilities))
	for n := range p.Probabilities {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := p.Probabilities[names[i]], p.Probabilities[names[j]]
		return a > b || a == b && names[i] < names[j]
	})
	if single {
		s := fmt.Sprintf("%s: %s %.3f", p.Image, names[0], p.Probabilities[names[0]])
		if len(names) > 1 {
			s += fmt.Sprintf(" (next: %s %.3f)", names[1], p.Probabilities[names[1]])
		}
		return s
	}
	if len(p.Labels) == 0 {
		return fmt.Sprintf("%s: (no label above %g; most probable: %s %.3f)", p.Image, thresh, names[0], p.Probabilities[names[0]])
	}
	var parts []string
	for _, n := range names {
		if pr := p.Probabilities[n]; pr > thresh {
			parts = append(parts, fmt.Sprintf("%s %.3f", n, pr))
		}
	}
	return p.Image + ": " + strings.Join(parts, ", ")
}
