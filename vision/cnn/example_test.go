package cnn_test

import (
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/optim"
	"github.com/fastgo/fastgo/optim/learner"
	"github.com/fastgo/fastgo/optim/metrics"
	"github.com/fastgo/fastgo/vision"
	"github.com/fastgo/fastgo/vision/cnn"
	"github.com/fastgo/fastgo/vision/synth"
)

// sampleLoaders writes the built-in shapes data set (small) into dir and returns its
// loaders at 32 px: what a program gets from vision.DataLoadersFromCSV.
func sampleLoaders(dir string) *vision.DataLoaders {
	if _, err := synth.Generate(dir, synth.Options{Seed: 1, Train: 16, Valid: 8, Size: 32}); err != nil {
		log.Fatal(err)
	}
	o := vision.DefaultLoader()
	o.Size, o.Resize, o.BatchSize = 32, 36, 8
	dls, err := vision.DataLoadersFromCSV(filepath.Join(dir, "train.csv"), vision.DefaultCSV(), o)
	if err != nil {
		log.Fatal(err)
	}
	return dls
}

// A cnn_learner trained as fastai's notebook does: frozen fit, unfreeze, fit with
// discriminative learning rates, then the model saved. (Widths shrink the ResNet so that
// the example runs in a moment; leave them zero for the real network.)
func ExampleNewLearner() {
	dir, _ := os.MkdirTemp("", "cnn-example")
	defer os.RemoveAll(dir)
	dls := sampleLoaders(dir)

	learn, err := cnn.NewLearner(dls, nn.ResNet34, cnn.Config{
		Loss:    autograd.BCE,
		Metrics: []metrics.Metric{metrics.NewAccuracyMulti(0.5)},
		Widths:  [4]int{4, 8, 8, 16},
		Learner: learner.Config{Out: io.Discard}, // no epoch table in this example
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := learn.FitOneCycle(1, optim.LRValue(5e-2), learner.DefaultOneCycle()); err != nil {
		log.Fatal(err)
	}
	learn.Unfreeze()
	if err := learn.FitOneCycle(1, optim.LRRange(1e-6, 1e-4), learner.DefaultOneCycle()); err != nil {
		log.Fatal(err)
	}
	if err := learn.Save(filepath.Join(dir, "model.pth")); err != nil {
		log.Fatal(err)
	}
	fmt.Println(learn.Arch, "layer groups:", len(learn.Opt.Groups()), "epochs recorded:", len(learn.Recorder.Values))
	fmt.Println("classes:", learn.DLs.Train.Vocab())
	// Output:
	// resnet34 layer groups: 3 epochs recorded: 1
	// classes: [circle cross diamond ring square triangle]
}

// The seed notebook's training as a list of phases, each a cell of the notebook:
// freeze_to(n); lr_find(); fit_one_cycle(epochs, lr). RunPhases stops at the first
// error and names the phase. (One epoch per phase and one lr_find keep the example
// quick; examples/pascal runs the notebook's own numbers.)
func ExampleLearner_RunPhases() {
	dir, _ := os.MkdirTemp("", "cnn-example")
	defer os.RemoveAll(dir)
	learn, err := cnn.NewLearner(sampleLoaders(dir), nn.ResNet34, cnn.Config{
		Loss:    autograd.BCE,
		Metrics: metrics.AccuracyMultiThresholds(0.5),
		Widths:  [4]int{4, 8, 8, 16},
		Learner: learner.Config{Out: io.Discard}, // no tables or lr_find suggestions here
	})
	if err != nil {
		log.Fatal(err)
	}
	err = learn.RunPhases([]learner.Phase{
		{FreezeTo: -1, LRFind: true, LRFindPlot: filepath.Join(dir, "lr_find.png"), Epochs: 1, LR: optim.LRValue(5e-2)},
		{FreezeTo: 0, Epochs: 1, LR: optim.LRRange(1e-6, 1e-4)},
		{FreezeTo: -2, Epochs: 1, LR: optim.LRValue(1e-5)},
		{FreezeTo: -1, Epochs: 1, LR: optim.LRValue(5e-3)},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("fits run, lr_find included:", learn.FitCount())
	err = learn.RunPhases([]learner.Phase{{FreezeTo: 0, Epochs: 0}})
	fmt.Println(err)
	// Output:
	// fits run, lr_find included: 5
	// phase 1 (unfreeze(); fit_one_cycle(0, None)): learner: a phase needs at least one epoch, got 0
}

// Rebuilding a saved model for prediction.
func ExampleLoadModel() {
	dir, _ := os.MkdirTemp("", "cnn-example")
	defer os.RemoveAll(dir)
	m, err := cnn.NewModel(nn.ResNet50, 3, cnn.ModelOptions{Widths: [4]int{4, 8, 8, 16}})
	if err != nil {
		log.Fatal(err)
	}
	path := filepath.Join(dir, "model.pth")
	info := cnn.ModelInfo{Arch: "resnet50", Widths: [4]int{4, 8, 8, 16}, Classes: []string{"cat", "dog", "person"},
		Size: 224, Resize: 460, Mean: vision.ImageNetMean, Std: vision.ImageNetStd}
	if err := cnn.SaveModel(path, m, info); err != nil {
		log.Fatal(err)
	}
	loaded, got, err := cnn.LoadModel(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(got.Arch, got.Classes, got.Size, nn.NumParams(loaded) == nn.NumParams(m))
	// Output:
	// resnet50 [cat dog person] 224 true
}

// The network cnn_learner builds for 20 classes on ResNet18: torchvision's body (its
// 11,689,512 parameters less the 1000-class classifier's 513,000) and fastai's head
// (537,600 for a 512-channel body).
func ExampleNewModel() {
	m, err := cnn.NewModel(nn.ResNet18, 20, cnn.ModelOptions{Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(nn.NumParams(m.Body), nn.NumParams(m.Head), len(m.Groups()))
	// Output:
	// 11176512 537600 3
}
