// Package cnn is fastai's vision.learner for Go programs: cnn_learner (a torchvision
// ResNet body with fastai's head, initialised as fastai does, optionally with ImageNet
// weights, frozen, with fastai's three layer groups) over vision's DataLoaders, on top of
// the generic training loop of package optim/learner; and show_results and saving the
// trained model with what prediction needs.
//
// The seed notebook as a program (see examples/pascal for the whole of it, with its
// error checks):
//
//	dls, _ := vision.DataLoadersFromCSV("pascal_2007/train.csv", vision.DefaultCSV(), vision.DefaultLoader())
//	learn, _ := cnn.NewLearner(dls, nn.ResNet34, cnn.Config{
//		Loss:    autograd.BCE,
//		Metrics: metrics.AccuracyMultiThresholds(0.5),
//	})
//	err := learn.RunPhases([]learner.Phase{ // each: freeze_to(n); lr_find(); fit_one_cycle(epochs, lr)
//		{FreezeTo: -1, LRFind: true, Epochs: 4, LR: optim.LRValue(5e-2)},
//		{FreezeTo: 0, LRFind: true, Epochs: 4, LR: optim.LRRange(1e-6, 1e-4)},
//		{FreezeTo: -2, LRFind: true, Epochs: 2, LR: optim.LRValue(1e-5)},
//		{FreezeTo: -1, LRFind: true, Epochs: 3, LR: optim.LRValue(5e-3)},
//	})
//	err = learn.ShowResults("show_results.png", 9)
//	err = learn.Save("model.pth")
//
// A Learner embeds the generic *learner.Learner, so Freeze, FreezeTo, Unfreeze, LRFind,
// Fit, FitOneCycle, FineTune, RunPhases and the recorder are its own.
package cnn
