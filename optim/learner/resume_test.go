package learner

import (
	"strings"
	"testing"

	"github.com/fastgo/fastgo/optim"
	"github.com/fastgo/fastgo/optim/metrics"
)

// program is a small experiment in fastai's style: freeze, lr_find, one-cycle, unfreeze,
// one-cycle with a slice, then re-freeze (stale-gradient decay of the body) and fit.
func program(t *testing.T, l *Learner) error {
	t.Helper()
	l.Freeze()
	if _, err := l.LRFind(DefaultLRFind()); err != nil {
		return err
	}
	if err := l.FitOneCycle(3, optim.LRValue(2e-2), DefaultOneCycle()); err != nil {
		return err
	}
	l.Unfreeze()
	if err := l.FitOneCycle(3, optim.LRRange(1e-4, 1e-2), DefaultOneCycle()); err != nil {
		return err
	}
	l.FreezeTo(-1)
	return l.Fit(2, optim.LRValue(5e-3))
}

func TestResumeMatchesUninterruptedRun(t *testing.T) {
	var cks []*Checkpoint
	full := newToy(t, Config{Metrics: []metrics.Metric{metrics.NewAccuracyMulti(0.5)},
		OnCheckpoint: func(ck *Checkpoint) error { cks = append(cks, ck); return nil }})
	if err := program(t, full.l); err != nil {
		t.Fatal(err)
	}
	if len(cks) != 8 {
		t.Fatalf("%d checkpoints, want one per epoch (8)", len(cks))
	}
	if ck := cks[4]; ck.FitIndex != 2 || ck.Epoch != 2 || ck.NEpoch != 3 || !strings.HasPrefix(ck.Fit, "fit_one_cycle(n_epoch=3") {
		t.Fatalf("checkpoint 4: fit %d %q epoch %d/%d", ck.FitIndex, ck.Fit, ck.Epoch, ck.NEpoch)
	}
	finalRows := full.out.String()[strings.LastIndex(full.out.String(), "epoch "):]
	for _, i := range []int{0, 2, 4, 5, 7} {
		ck := cks[i]
		r := newToy(t, Config{Metrics: []metrics.Metric{metrics.NewAccuracyMulti(0.5)}})
		if err := r.l.Resume(ck); err != nil {
			t.Fatal(err)
		}
		if err := program(t, r.l); err != nil {
			t.Fatalf("resumed from checkpoint %d: %v", i, err)
		}
		for _, p := range full.m.all() {
			var q = map[string]*optim.Param{}
			for _, rp := range r.m.all() {
				q[rp.Name] = rp
			}
			if !same(values(p), values(q[p.Name])) {
				t.Errorf("resumed from checkpoint %d (fit %d epoch %d): %s differs from the uninterrupted run", i, ck.FitIndex, ck.Epoch, p.Name)
			}
		}
		// The last fit's table rows (without the time column) are the same.
		got := r.out.String()[strings.LastIndex(r.out.String(), "epoch "):]
		if stripTimes(got) != stripTimes(finalRows) {
			t.Errorf("resumed from checkpoint %d: last table\n%s\nuninterrupted\n%s", i, got, finalRows)
		}
	}
}

func stripTimes(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) > 0 {
			f = f[:len(f)-1]
		}
		out = append(out, strings.Join(f, " "))
	}
	return strings.Join(out, "\n")
}

func TestResumeRejectsADifferentFit(t *testing.T) {
	var ck *Checkpoint
	s := newToy(t, Config{OnCheckpoint: func(c *Checkpoint) error { ck = c; return nil }})
	if err := s.l.Fit(2, optim.LRValue(1e-3)); err != nil {
		t.Fatal(err)
	}
	r := newToy(t, Config{})
	if err := r.l.Resume(ck); err != nil {
		t.Fatal(err)
	}
	err := r.l.Fit(3, optim.LRValue(1e-3))
	if err == nil || !strings.Contains(err.Error(), "checkpoint was taken in fit 0, fit(n_epoch=2, lr=0.001)") {
		t.Errorf("error %v", err)
	}
	// A learner that lacks a random state the checkpoint has is refused.
	ck.RandomStates["augment"] = []byte{1}
	if err := newToy(t, Config{}).l.Resume(ck); err == nil {
		t.Error("unknown random state accepted")
	}
}
