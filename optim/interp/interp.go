// Package interp is fastai's ClassificationInterpretation for single-label models: the
// confusion matrix of a validation pass, its most-confused pairs and
// plot_confusion_matrix as a PNG (or SVG/PDF).
//
//	ci, err := interp.New(classes, logits, targets) // [N, C] logits, one-hot targets
//	ci.MostConfused(1)                              // [(actual, predicted, count)…]
//	ci.PlotConfusionMatrix("confusion_matrix.png")
package interp

import (
	"fmt"
	"image/color"
	"math"
	"sort"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"github.com/fastgo/fastgo/optim/metrics"
)

// Interpretation holds a single-label validation pass's confusion matrix.
type Interpretation struct {
	Classes []string
	// Matrix[a][p] counts the images of actual class a predicted as p (the arg-max
	// logit), fastai's confusion_matrix().
	Matrix [][]int
	// Losses are the items' cross-entropy losses, in input order (fastai's
	// top_losses ranks them).
	Losses []float64
}

// New computes the interpretation of n = len(logits)/len(classes) predictions: logits
// and one-hot targets are [N, C] row-major.
func New(classes []string, logits, targets []float32) (*Interpretation, error) {
	c := len(classes)
	if c == 0 || len(logits) != len(targets) || len(logits)%c != 0 {
		return nil, fmt.Errorf("interp: %d logits and %d targets are not rows of %d classes", len(logits), len(targets), c)
	}
	it := &Interpretation{Classes: classes, Matrix: make([][]int, c)}
	for i := range it.Matrix {
		it.Matrix[i] = make([]int, c)
	}
	for i := 0; i < len(logits)/c; i++ {
		row := logits[i*c:][:c]
		a, p := metrics.Argmax(targets[i*c:][:c]), metrics.Argmax(row)
		it.Matrix[a][p]++
		m := math.Inf(-1)
		for _, v := range row {
			m = math.Max(m, float64(v))
		}
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v) - m)
		}
		it.Losses = append(it.Losses, m+math.Log(s)-float64(row[a]))
	}
	return it, nil
}

// Confusion is one off-diagonal cell of the matrix.
type Confusion struct {
	Actual, Predicted string
	Count             int
}

// MostConfused returns fastai's most_confused(min_val): the off-diagonal cells with at
// least minVal images, largest first (ties in class order of actual, then predicted).
func (it *Interpretation) MostConfused(minVal int) []Confusion {
	var out []Confusion
	for a, row := range it.Matrix {
		for p, n := range row {
			if a != p && n >= minVal && n > 0 {
				out = append(out, Confusion{it.Classes[a], it.Classes[p], n})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Count > out[j].Count })
	return out
}

// Accuracy returns the trace over the total (NaN when empty).
func (it *Interpretation) Accuracy() float64 {
	var hit, all int
	for a, row := range it.Matrix {
		for p, n := range row {
			all += n
			if a == p {
				hit += n
			}
		}
	}
	if all == 0 {
		return math.NaN()
	}
	return float64(hit) / float64(all)
}

// grid is the matrix as a heat map grid: column = predicted, row 0 (bottom) = the last
// actual class, so that the first actual class is the top row as in fastai's imshow.
type grid struct{ m [][]int }

func (g grid) Dims() (c, r int)   { return len(g.m), len(g.m) }
func (g grid) Z(c, r int) float64 { return float64(g.m[len(g.m)-1-r][c]) }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(r) }
func blue(t float64) color.Color {
	return lerp(color.RGBA{247, 251, 255, 255}, color.RGBA{8, 48, 107, 255}, t)
}
func lerp8(a, b uint8, t float64) uint8 {
	return uint8(math.Round(float64(a) + (float64(b)-float64(a))*t))
}

func lerp(a, b color.RGBA, t float64) color.Color {
	return color.RGBA{lerp8(a.R, b.R, t), lerp8(a.G, b.G, t), lerp8(a.B, b.B, t), 255}
}

type blues []color.Color

func (p blues) Colors() []color.Color { return p }

// classTicks labels integer positions with class names (reversed for the y axis).
type classTicks struct {
	names []string
	rev   bool
}

func (t classTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for i := range t.names {
		name := t.names[i]
		if t.rev {
			name = t.names[len(t.names)-1-i]
		}
		ts = append(ts, plot.Tick{Value: float64(i), Label: name})
	}
	return ts
}

// PlotConfusionMatrix draws fastai's plot_confusion_matrix — the counts as a blue heat
// map with the number in each cell (white on dark cells), actual classes down the
// side, predicted along the bottom — and saves it to path (the extension picks PNG,
// SVG or PDF).
func (it *Interpretation) PlotConfusionMatrix(path string) error {
	n := len(it.Classes)
	pal := make(blues, 256)
	for i := range pal {
		pal[i] = blue(float64(i) / 255)
	}
	h := plotter.NewHeatMap(grid{it.Matrix}, pal)
	maxv := 0
	for _, row := range it.Matrix {
		for _, v := range row {
			maxv = max(maxv, v)
		}
	}
	if maxv == 0 {
		h.Min, h.Max = 0, 1
	}
	p := plot.New()
	p.Title.Text = "Confusion matrix"
	p.X.Label.Text, p.Y.Label.Text = "Predicted", "Actual"
	p.X.Tick.Marker = classTicks{names: it.Classes}
	p.Y.Tick.Marker = classTicks{names: it.Classes, rev: true}
	p.X.Tick.Label.Rotation = math.Pi / 2
	p.X.Tick.Label.XAlign, p.X.Tick.Label.YAlign = draw.XRight, draw.YCenter
	p.Add(h)
	var labels plotter.XYLabels
	for a, row := range it.Matrix {
		for c, v := range row {
			labels.XYs = append(labels.XYs, plotter.XY{X: float64(c), Y: float64(n - 1 - a)})
			labels.Labels = append(labels.Labels, strconv.Itoa(v))
		}
	}
	l, err := plotter.NewLabels(labels)
	if err != nil {
		return fmt.Errorf("interp: %w", err)
	}
	for i := range l.TextStyle {
		v := it.Matrix[i/n][i%n]
		sty := l.TextStyle[i]
		sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
		sty.Color = color.Black
		if float64(v) > float64(maxv)/2 {
			sty.Color = color.White
		}
		l.TextStyle[i] = sty
	}
	p.Add(l)
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = -0.5, float64(n)-0.5, -0.5, float64(n)-0.5
	side := vg.Length(max(4, 0.6*float64(n)+2)) * vg.Inch
	if err := p.Save(side, side, path); err != nil {
		return fmt.Errorf("interp: saving %s: %w", path, err)
	}
	return nil
}
