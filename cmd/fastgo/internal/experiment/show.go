package experiment

import (
	"fmt"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/optim/metrics"
	"github.com/fastgo/fastgo/vision"
)

// ShowBatch writes fastai's dls.show_batch(): the first maxN images of the first batch
// of the given epoch of dl (a training loader's is shuffled and augmented), captioned
// with their labels.
func ShowBatch(dl *vision.Loader, epoch int, path string, maxN int) error {
	for b, err := range dl.Epoch(epoch) {
		if err != nil {
			return fmt.Errorf("show_batch: %w", err)
		}
		img, err := vision.ShowBatch(b, maxN)
		b.Release()
		if err != nil {
			return err
		}
		return vision.SavePNG(path, img)
	}
	return fmt.Errorf("show_batch: the loader has no batch")
}

// ShowResults writes fastai's learn.show_results(): the first maxN images of the first
// validation batch, each captioned with its target labels and, below, the labels the
// model predicts (σ(logit) > thresh; "(none)" when there is none). fastai draws a random validation batch; this one is
// fixed so that reruns and resumed runs draw the same picture. For a learner with a plain
// loss function fastai's predicted line is empty (it cannot decode the logits, SPEC §9);
// this one shows what the model predicts.
func ShowResults(m *nn.CNN, dl *vision.Loader, path string, maxN int, thresh float64) error {
	pool := autograd.ProcessPool()
	for b, err := range dl.Epoch(0) {
		if err != nil {
			return fmt.Errorf("show_results: %w", err)
		}
		defer b.Release()
		g := autograd.NewGraph(pool, autograd.NoGrad)
		defer g.Release()
		logits := m.Forward(g, g.Input(b.X)).Value.Data()
		n, c, vocab := min(maxN, b.N), len(dl.Vocab()), dl.Vocab()
		images := make([]*vision.RGB, n)
		targets, predicted := make([][]string, n), make([][]string, n)
		for i := range n {
			images[i] = b.Image(i, nil)
			targets[i] = b.Labels(i)
			for k := range c {
				if metrics.Sigmoid(logits[i*c+k]) > float32(thresh) {
					predicted[i] = append(predicted[i], vocab[k])
				}
			}
			if len(predicted[i]) == 0 {
				predicted[i] = []string{"(none)"}
			}
		}
		img, err := vision.ShowResults(images, targets, predicted)
		if err != nil {
			return err
		}
		return vision.SavePNG(path, img)
	}
	return fmt.Errorf("show_results: the validation loader has no batch")
}
