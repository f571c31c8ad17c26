package report

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// PlotLosses saves the loss curves of phases, one after the other on a common axis of
// training batches, to path (.png, .svg or .pdf): the smoothed training loss after every
// batch (what fastai's recorder.plot_loss draws) and the validation loss at the end of
// each epoch, with a dashed line where a phase ends. Non-finite values are left out.
func PlotLosses(path string, phases []*Phase) error {
	var train, valid plotter.XYs
	var bounds []float64
	x := 0
	for _, p := range phases {
		col := -1
		for i, c := range p.Columns {
			if c == "valid_loss" {
				col = i - 1 // Values start at train_loss, Columns at epoch
			}
		}
		perEpoch := 0
		if len(p.Rows) > 0 {
			perEpoch = len(p.Losses) / len(p.Rows)
		}
		for i, l := range p.Losses {
			if finite(float64(l)) {
				train = append(train, plotter.XY{X: float64(x + i + 1), Y: float64(l)})
			}
		}
		for i, row := range p.Rows {
			if col >= 0 && col < len(row.Values) && finite(float64(row.Values[col])) {
				valid = append(valid, plotter.XY{X: float64(x + (i+1)*perEpoch), Y: float64(row.Values[col])})
			}
		}
		x += len(p.Losses)
		bounds = append(bounds, float64(x))
	}
	if len(train) == 0 {
		return fmt.Errorf("report.PlotLosses: no finite training loss to plot")
	}
	pl := plot.New()
	pl.Title.Text = "Losses"
	pl.X.Label.Text = "training batches (all phases)"
	pl.Y.Label.Text = "Loss"
	tl, err := plotter.NewLine(train)
	if err != nil {
		return fmt.Errorf("report.PlotLosses: %w", err)
	}
	tl.Color = plotter.DefaultLineStyle.Color
	pl.Add(tl)
	pl.Legend.Add("train (smoothed)", tl)
	if len(valid) > 0 {
		vl, vp, err := plotter.NewLinePoints(valid)
		if err != nil {
			return fmt.Errorf("report.PlotLosses: %w", err)
		}
		vl.Color, vp.Color = orange, orange
		pl.Add(vl, vp)
		pl.Legend.Add("valid", vl, vp)
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, xy := range append(append(plotter.XYs{}, train...), valid...) {
		lo, hi = math.Min(lo, xy.Y), math.Max(hi, xy.Y)
	}
	for _, b := range bounds[:max(0, len(bounds)-1)] {
		l, err := plotter.NewLine(plotter.XYs{{X: b, Y: lo}, {X: b, Y: hi}})
		if err == nil {
			l.Dashes = []vg.Length{vg.Points(3), vg.Points(3)}
			l.Color = grey
			pl.Add(l)
		}
	}
	pl.Legend.Top = true
	if err := pl.Save(8*vg.Inch, 4*vg.Inch, path); err != nil {
		return fmt.Errorf("report.PlotLosses: saving %s: %w", path, err)
	}
	return nil
}

var (
	orange = color.RGBA{R: 255, G: 127, B: 14, A: 255}
	grey   = color.RGBA{R: 160, G: 160, B: 160, A: 255}
)

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
