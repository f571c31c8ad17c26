// Command pascal is the seed notebook as a Go program written against fastgo's public
// packages: multi-label PASCAL VOC 2007 with a ResNet34 cnn_learner, trained in phases
// with freeze / unfreeze / freeze_to, lr_find and fit_one_cycle, as fastai does.
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
	data       = flag.String("data", "../shared/data/pascal_2007", "PASCAL VOC 2007 in fastai's layout")
	pretrained = flag.String("pretrained", "", "torchvision's ImageNet weights for the body (.pth)")
	out        = flag.String("out", "out/example", "output folder")
	loader     = vision.DefaultLoader() // Resize(460), aug_transforms(size=224), bs=64
	widths     [4]int                   // ResNet34's stage widths when zero
)

func main() {
	flag.Parse()
	if err := run(); err != nil {
		log.Fatal(err)
	}
}

// run is the notebook; each call's error ends it (check panics, run's defer returns it).
func run() (err error) {
	defer func() {
		if e, ok := recover().(failed); ok {
			err = e.error
		}
	}()
	// dls = ImageDataLoaders.from_df(df, path, folder='train', label_delim=' ', valid_col='is_valid', …)
	ds := must(vision.FromCSV(filepath.Join(*data, "train.csv"), vision.DefaultCSV()))
	dls := must(vision.NewDataLoaders(ds, loader))
	check(dls.ShowBatch(filepath.Join(*out, "show_batch.png"), 9))
	// learn = cnn_learner(dls, resnet34, loss_func=BCE, metrics=accuracy_multi) — frozen
	learn := must(cnn.NewLearner(dls, nn.ResNet34, cnn.Config{Loss: autograd.BCE, Pretrained: *pretrained,
		Metrics: []metrics.Metric{metrics.NewAccuracyMulti(0.5)}, Widths: widths}))
	lrFind := learner.DefaultLRFind() // fastai's lr_find(); the plot goes to a file
	lrFind.PlotPath = filepath.Join(*out, "lr_find_1.png")
	must(learn.LRFind(lrFind))
	check(learn.FitOneCycle(4, optim.LRValue(5e-2), learner.DefaultOneCycle()))
	learn.Unfreeze()
	lrFind.PlotPath = filepath.Join(*out, "lr_find_2.png")
	must(learn.LRFind(lrFind))
	check(learn.FitOneCycle(4, optim.LRRange(1e-6, 1e-4), learner.DefaultOneCycle())) // slice(1e-6, 1e-4)
	learn.FreezeTo(-2)
	check(learn.FitOneCycle(2, optim.LRValue(1e-5), learner.DefaultOneCycle()))
	learn.FreezeTo(-1)
	check(learn.FitOneCycle(3, optim.LRValue(5e-3), learner.DefaultOneCycle()))
	check(learn.ShowResults(filepath.Join(*out, "show_results.png"), 9))
	check(learn.Save(filepath.Join(*out, "model.pth")))
	return nil
}

// failed carries an error from check to run.
type failed struct{ error }

func check(err error) {
	if err != nil {
		panic(failed{err})
	}
}

func must[T any](v T, err error) T { check(err); return v }
