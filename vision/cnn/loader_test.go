package cnn

import "testing"

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
