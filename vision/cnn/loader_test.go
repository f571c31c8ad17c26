package cnn

import (
	"io"
	"slices"
	"testing"

	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/optim/learner"
)

func TestLoaderRandomState(t *testing.T) {
	l := &Loader{epoch: 5}
	b, err := l.RandomState()
	if err != nil {
		t.Fatal(err)
	}
	l2 := &Loader{}
	if err := l2.SetRandomState(b); err != nil || l2.Epoch() != 5 {
		t.Errorf("restored epoch %d, %v", l2.Epoch(), err)
	}
	if err := l2.SetRandomState([]byte{1, 2}); err == nil {
		t.Error("a short state accepted")
	}
}

// TestTTA runs fastai's learn.tta() on a cnn_learner: the validation loader's
// augmented copy comes from the loader itself, the predictions are probabilities in the
// validation order, and beta=1 returns the plain predictions, which equal get_preds'.
func TestTTA(t *testing.T) {
	dls := tinyData(t)
	l, err := NewLearner(dls, nn.ResNet18, Config{Widths: tinyWidths, Learner: learner.Config{Out: io.Discard}})
	if err != nil {
		t.Fatal(err)
	}
	if l.Activation() != learner.Sigmoid {
		t.Fatalf("multi-label learner's activation %v", l.Activation())
	}
	r, err := l.TTA(learner.DefaultTTA(l.Activation()))
	if err != nil {
		t.Fatal(err)
	}
	n, c := dls.Valid.NumItems(), len(dls.Valid.Vocab())
	if s := r.Preds.Shape(); s[0] != n || s[1] != c {
		t.Fatalf("preds %v, want [%d %d]", s, n, c)
	}
	plain, targets, err := l.GetPreds(nil, l.Activation())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(plain.Data(), r.Plain.Data()) || !slices.Equal(targets.Data(), r.Targets.Data()) {
		t.Fatal("TTA's plain predictions or targets differ from get_preds'")
	}
	if slices.Equal(r.Aug.Data(), r.Plain.Data()) {
		t.Fatal("the augmented passes predicted exactly the plain predictions")
	}
	for i, p := range r.Preds.Data() {
		if p < 0 || p > 1 {
			t.Fatalf("prediction %d = %g, not a probability", i, p)
		}
	}
	o := learner.DefaultTTA(l.Activation())
	o.Beta = 1
	r1, err := l.TTA(o)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r1.Preds.Data(), plain.Data()) || !slices.Equal(r1.Aug.Data(), r.Aug.Data()) {
		t.Fatal("beta=1 did not return the plain predictions, or a second TTA drew other augmentations")
	}
}
