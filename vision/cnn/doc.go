// Package cnn is fastai's vision.learner for Go programs: cnn_learner (a torchvision
// ResNet body with fastai's head, initialised as fastai does, optionally with ImageNet
// weights, frozen, with fastai's three layer groups) over vision's DataLoaders, on top of
// the generic training loop of package optim/learner; and show_results and saving the
// trained model with what prediction needs.
//
// The seed notebook as a program (see examples/pascal for the whole of it):
//
//	ds, _ := vision.FromCSV("pascal_2007/train.csv", vision.DefaultCSV()) // label_delim ' ', is_valid
//	dls, _ := vision.NewDataLoaders(ds, vision.DefaultLoader())          // Resize(460), aug_transforms(size=224), bs 64
//	learn, _ := cnn.NewLearner(dls, nn.ResNet34, cnn.Config{
//		Loss:    autograd.BCE,
//		Metrics: []metrics.Metric{metrics.NewAccuracyMulti(0.5)},
//	})
//	learn.LRFind(learner.DefaultLRFind())
//	learn.FitOneCycle(4, optim.LRValue(5e-2), learner.DefaultOneCycle())
//	learn.Unfreeze()
//	learn.FitOneCycle(4, optim.LRRange(1e-6, 1e-4), learner.DefaultOneCycle())
//	learn.ShowResults("show_results.png", 9)
//	learn.Save("model.pth")
//
// A Learner embeds the generic *learner.Learner, so Freeze, FreezeTo, Unfreeze, LRFind,
// Fit, FitOneCycle, FineTune and the recorder are its own.
package cnn
