package experiment

import (
	"errors"
	"strings"
	"testing"
)

// Background checkpoint writes run one at a time and in order; a write's error comes
// back from the next write's start or from settle, before the run's own error.
func TestSaveInBackground(t *testing.T) {
	r := &runner{}
	release := make(chan struct{})
	var order []int
	if err := r.saveInBackground(func() error { <-release; order = append(order, 1); return nil }); err != nil {
		t.Fatal(err)
	}
	close(release) // the second start waits for the first write
	if err := r.saveInBackground(func() error { order = append(order, 2); return errors.New("disk full") }); err != nil {
		t.Fatal(err)
	}
	err := r.saveInBackground(func() error { order = append(order, 3); return nil })
	if err == nil || !strings.Contains(err.Error(), "checkpoint: disk full") {
		t.Errorf("start after a failed write: %v, want the write's error", err)
	}
	if len(order) != 2 || order[0] != 1 || order[1] != 2 {
		t.Errorf("writes ran in order %v, want [1 2] (none started after the failure)", order)
	}
	if err := r.settle(nil); err != nil {
		t.Errorf("settle with nothing in flight: %v", err)
	}
	if err := r.saveInBackground(func() error { return errors.New("no space") }); err != nil {
		t.Fatal(err)
	}
	if err := r.settle(ErrInterrupted); err == nil || !strings.Contains(err.Error(), "no space") {
		t.Errorf("settle: %v, want the write's error over the run's", err)
	}
	if err := r.saveInBackground(func() error { return nil }); err != nil {
		t.Fatal(err)
	}
	if err := r.settle(ErrInterrupted); !errors.Is(err, ErrInterrupted) {
		t.Errorf("settle after a good write: %v, want the run's error", err)
	}
}
