// Command pascal is the seed notebook as a Go program written against fastgo's public
// packages: multi-label PASCAL VOC 2007 with a ResNet34 cnn_learner trained in four
// phases (freeze / unfreeze / freeze_to, an lr_find before each fit_one_cycle), then a
// fresh learner's fine_tune(1) with accuracy_multi at thresholds 0.1 … 0.9, as fastai does.
//
//	go run ./examples/pascal -data ../shared/data/pascal_2007 -pretrained resnet34-b627a593.pth
package main

import (
	"flag"
	"log"
	"path/filepath"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/optim"
	"github.com/fastgo/fastgo/optim/learner"
	"github.com/fastgo/fastgo/optim/metrics"
	"github.com/fastgo/fastgo/vision"
	"github.com/fastgo/fastgo/vision/cnn"
)

// The notebook's inputs; the test points them at generated data and shrinks the model.
var (
	data   = flag.String("data", "../shared/data/pascal_2007", "PASCAL VOC 2007 in fastai's layout")
	out    = flag.String("out", "out/example", "output folder")
	loader = vision.DefaultLoader() // Resize(460), aug_transforms(size=224), bs=64
	// cnn_learner(dls, resnet34, loss_func=BCE, metrics=accuracy_multi); torchvision's widths
	model = cnn.Config{Loss: autograd.BCE, Metrics: metrics.AccuracyMultiThresholds(0.5)}
)

func main() {
	flag.StringVar(&model.Pretrained, "pretrained", "", "torchvision's ImageNet weights for the body (.pth)")
	flag.Parse()
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

// run is the notebook.
func run() error {
	// dls = ImageDataLoaders.from_df(df, path, folder='train', label_delim=' ', valid_col='is_valid', …)
	dls, err := vision.DataLoadersFromCSV(filepath.Join(*data, "train.csv"), vision.DefaultCSV(), loader)
	if err != nil {
		return err
	}
	if err := dls.ShowBatch(filepath.Join(*out, "show_batch.png"), 9); err != nil {
		return err
	}
	learn, err := cnn.NewLearner(dls, nn.ResNet34, model) // frozen, three layer groups
	if err != nil {
		return err
	}
	plot := func(n string) string { return filepath.Join(*out, "lr_find_"+n+".png") }
	if err := learn.RunPhases([]learner.Phase{ // each: freeze_to(n); lr_find(); fit_one_cycle(epochs, lr)
		{FreezeTo: -1, LRFind: true, LRFindPlot: plot("1"), Epochs: 4, LR: optim.LRValue(5e-2)},
		{FreezeTo: 0, LRFind: true, LRFindPlot: plot("2"), Epochs: 4, LR: optim.LRRange(1e-6, 1e-4)},
		{FreezeTo: -2, LRFind: true, LRFindPlot: plot("3"), Epochs: 2, LR: optim.LRValue(1e-5)},
		{FreezeTo: -1, LRFind: true, LRFindPlot: plot("4"), Epochs: 3, LR: optim.LRValue(5e-3)},
	}); err != nil {
		return err
	}
	if err := learn.ShowResults(filepath.Join(*out, "show_results.png"), 9); err != nil {
		return err
	}
	// learn = cnn_learner(dls, resnet34, metrics=[partial(accuracy_multi, thresh=x) for x in 0.1 … 0.9])
	// (its default loss, BCEWithLogitsLossFlat, and a fresh head: another seed)
	cfg := model
	cfg.Loss, cfg.Metrics, cfg.Seed = nil, metrics.AccuracyMultiThresholds(), 1
	if learn, err = cnn.NewLearner(dls, nn.ResNet34, cfg); err != nil {
		return err
	}
	if err := learn.FineTune(1, learner.DefaultFineTune()); err != nil { // learn.fine_tune(1)
		return err
	}
	return learn.Save(filepath.Join(*out, "model.pth"))
}
