package learner

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/optim"
)

// TestRunPhases checks that RunPhases is the same sequence of calls written out by
// hand — same printed tables and lr_find suggestions, same final weights, bit for
// bit — that it saves each lr_find plot where asked, and that an error names its phase.
func TestRunPhases(t *testing.T) {
	dir := t.TempDir()
	plot := func(n string) string { return filepath.Join(dir, "lr_find_"+n+".png") }
	pct := DefaultOneCycle()
	pct.PctStart = 0.5
	phases := []Phase{
		{FreezeTo: -1, LRFind: true, LRFindPlot: plot("1"), Epochs: 1, LR: optim.LRValue(5e-2)},
		{FreezeTo: 0, LRFind: true, Epochs: 2, LR: optim.LRRange(1e-4, 1e-2), OneCycle: &pct},
		{FreezeTo: -2, Epochs: 1, LR: optim.LRValue(1e-3)},
	}
	byPhases := newToy(t, Config{})
	if err := byPhases.l.RunPhases(phases); err != nil {
		t.Fatal(err)
	}

	byHand := newToy(t, Config{})
	l := byHand.l
	lrf := DefaultLRFind()
	lrf.PlotPath = plot("hand")
	l.Freeze()
	mustRun(t, func() error { _, err := l.LRFind(lrf); return err })
	mustRun(t, func() error { return l.FitOneCycle(1, optim.LRValue(5e-2), DefaultOneCycle()) })
	l.Unfreeze()
	mustRun(t, func() error { _, err := l.LRFind(DefaultLRFind()); return err })
	mustRun(t, func() error { return l.FitOneCycle(2, optim.LRRange(1e-4, 1e-2), pct) })
	l.FreezeTo(-2)
	mustRun(t, func() error { return l.FitOneCycle(1, optim.LRValue(1e-3), DefaultOneCycle()) })

	if got, want := byPhases.out.String(), byHand.out.String(); got != want {
		t.Errorf("RunPhases printed\n%s\nby hand\n%s", got, want)
	}
	if n := strings.Count(byPhases.out.String(), "SuggestedLRs"); n != 2 {
		t.Errorf("%d lr_find suggestions printed, want 2", n)
	}
	for _, p := range [][2]*optim.Param{{byPhases.m.w1, byHand.m.w1}, {byPhases.m.w3, byHand.m.w3}} {
		if !same(values(p[0]), values(p[1])) {
			t.Errorf("final weights differ from the calls written out")
		}
	}
	if st, err := os.Stat(plot("1")); err != nil || st.Size() == 0 {
		t.Errorf("lr_find plot not written: %v", err)
	}

	err := newToy(t, Config{}).l.RunPhases([]Phase{phases[2], {FreezeTo: 0, Epochs: 0}})
	if err == nil || !strings.Contains(err.Error(), "phase 2 (unfreeze(); fit_one_cycle(0, None))") {
		t.Errorf("error %v, want one naming phase 2 and its calls", err)
	}
	if s := phases[0].String(); s != "freeze(); lr_find(); fit_one_cycle(1, 0.05)" {
		t.Errorf("String() = %q", s)
	}
}

// mustRun fails the test when f returns an error.
func mustRun(t *testing.T, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Fatal(err)
	}
}
