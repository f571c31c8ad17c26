package experiment

import (
	"fmt"
	"path/filepath"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/optim/interp"
	"github.com/fastgo/fastgo/optim/learner"
	"github.com/fastgo/fastgo/optim/metrics"
	"github.com/fastgo/fastgo/vision/cnn"
)

// ConfusionMatrixFile is the confusion-matrix plot of a single-label run's last learner.
const ConfusionMatrixFile = "confusion_matrix.png"

// firstConfig returns the loss and metrics of the first learner (and of train and
// lr-find) for the task, and how cnn_learner would be called with them: the seed's BCE
// and accuracy_multi, or for a single-label task fastai's CrossEntropyLossFlat with
// accuracy and error_rate.
func (r *runner) firstConfig() (learner.Config, string) {
	if r.o.Single {
		return learner.Config{Loss: autograd.CrossEntropy, Metrics: []metrics.Metric{metrics.NewAccuracy(), metrics.NewErrorRate()}},
			"loss_func=CrossEntropyLossFlat, metrics=[accuracy, error_rate]"
	}
	return learner.Config{Loss: autograd.BCE, Metrics: []metrics.Metric{metrics.NewAccuracyMulti(firstLearnerMetricTh)}},
		"loss_func=BCE, metrics=accuracy_multi"
}

// secondConfig is the second learner's: fastai's default loss for the data's block
// (BCEWithLogitsLossFlat for multi-label, CrossEntropyLossFlat for single-label) with
// accuracy_multi at 0.1 … 0.9, or accuracy.
func (r *runner) secondConfig() (learner.Config, string) {
	if r.o.Single {
		return learner.Config{Loss: autograd.CrossEntropy, Metrics: []metrics.Metric{metrics.NewAccuracy()}},
			"metrics=accuracy) (CrossEntropyLossFlat"
	}
	return learner.Config{Metrics: metrics.AccuracyMultiThresholds()}, "metrics=[accuracy_multi at 0.1 … 0.9]) (BCEWithLogitsLossFlat"
}

// showResults writes show_results for the task: labels with σ > thresh, or the arg-max
// class.
func (r *runner) showResults(m *nn.CNN, file string, thresh float64) error {
	path := filepath.Join(r.o.Out, file)
	if r.o.Single {
		return cnn.ShowResultsSingle(m, r.dls.Valid, path, 9)
	}
	return cnn.ShowResults(m, r.dls.Valid, path, 9, thresh)
}

// plotConfusion draws the confusion matrix of the latest validation pass for a
// single-label task (fastai's interp.plot_confusion_matrix) and records it in the
// report and in the learner's final evaluation; a multi-label task has none.
func (r *runner) plotConfusion() error {
	if !r.o.Single {
		return nil
	}
	ci, err := interp.New(r.o.Dataset.Vocab, r.preds.logits, r.preds.targets)
	if err != nil {
		return err
	}
	if err := ci.PlotConfusionMatrix(filepath.Join(r.o.Out, ConfusionMatrixFile)); err != nil {
		return err
	}
	r.rep.Images["confusion_matrix"] = ConfusionMatrixFile
	for _, e := range r.rep.Results {
		if e.Learner == r.stage && e.Single != nil {
			e.Single.Plot = ConfusionMatrixFile
		}
	}
	mc := ci.MostConfused(1)
	fmt.Fprintf(r.out, "\ninterp.plot_confusion_matrix: %s; most_confused:", filepath.Join(r.o.Out, ConfusionMatrixFile))
	for i, c := range mc {
		if i == 5 {
			break
		}
		fmt.Fprintf(r.out, " (%s, %s, %d)", c.Actual, c.Predicted, c.Count)
	}
	fmt.Fprintln(r.out)
	return nil
}
