package learner

import (
	"fmt"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// PlotLRFind saves lr_find's curve — smoothed loss against learning rate on a log axis,
// without the last skipEnd points (fastai's plot_lr_find) — to path; the extension picks
// the format (.png, .svg, .pdf). Non-finite losses are left out of the line.
func PlotLRFind(path string, lrs, losses []float64, skipEnd int) error {
	if len(lrs) != len(losses) {
		return fmt.Errorf("learner.PlotLRFind: %d lrs for %d losses", len(lrs), len(losses))
	}
	n := max(0, len(lrs)-skipEnd)
	var xys plotter.XYs
	for i := 0; i < n; i++ {
		if lrs[i] > 0 && !math.IsNaN(losses[i]) && !math.IsInf(losses[i], 0) {
			xys = append(xys, plotter.XY{X: lrs[i], Y: losses[i]})
		}
	}
	if len(xys) == 0 {
		return fmt.Errorf("learner.PlotLRFind: no finite point to plot in %d records", len(lrs))
	}
	p := plot.New()
	p.X.Label.Text = "Learning Rate"
	p.Y.Label.Text = "Loss"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = decadeTicks{}
	line, err := plotter.NewLine(xys)
	if err != nil {
		return fmt.Errorf("learner.PlotLRFind: %w", err)
	}
	p.Add(line)
	if err := p.Save(6*vg.Inch, 4*vg.Inch, path); err != nil {
		return fmt.Errorf("learner.PlotLRFind: saving %s: %w", path, err)
	}
	return nil
}

// decadeTicks marks a log axis with labelled powers of ten (1e-07, 0.001, 1, …) and
// unlabelled minor ticks at 2…9 times them.
type decadeTicks struct{}

// Ticks implements plot.Ticker.
func (decadeTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for e := int(math.Floor(math.Log10(lo))); e <= int(math.Ceil(math.Log10(hi))); e++ {
		d := math.Pow10(e)
		for m := 1; m <= 9; m++ {
			v := d * float64(m)
			if v < lo || v > hi {
				continue
			}
			label := ""
			if m == 1 {
				label = strconv.FormatFloat(d, 'g', -1, 64)
			}
			ts = append(ts, plot.Tick{Value: v, Label: label})
		}
	}
	return ts
}
