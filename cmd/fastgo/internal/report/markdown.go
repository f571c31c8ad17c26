package report

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Markdown renders the report for people: settings, each phase's lr_find and epoch table
// (fastai's columns plus the epoch's mAP), the final evaluations (per-class AP, mAP,
// accuracy at each threshold) and the images.
func (r *Report) Markdown() string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("# fastgo %s — report\n\n", r.Command)
	w("Command: `fastgo %s`\n\n", strings.Join(append([]string{r.Command}, r.Args...), " "))
	status := "in progress (or interrupted)"
	if r.Finished != "" {
		status = "finished " + r.Finished
	}
	w("Started %s, %s", r.Started, status)
	if r.Resumed > 0 {
		w(", resumed %d time(s)", r.Resumed)
	}
	w(".\n\n")
	w("| | |\n|---|---|\n")
	w("| wall time | %s (%.0f s) |\n", Duration(r.WallSeconds), r.WallSeconds)
	w("| images through the model | %d training (lr_find included) + %d validation = %.1f images/s |\n",
		r.TrainImages, r.ValidImages, r.ImagesPerSecond())
	d := r.Data
	src := d.Source
	if d.Builtin {
		src = "built-in sample (vision/synth shapes) in " + d.Source
	}
	w("| data | %s: %d training, %d validation images, %d classes |\n", src, d.Train, d.Valid, len(d.Classes))
	pre := "from scratch (no pretrained weights)"
	if r.Model.Pretrained != "" {
		pre = "body from " + r.Model.Pretrained
	}
	w("| model | %s, %s parameters, %s |\n", r.Model.Arch, Thousands(r.Model.Params), pre)
	w("| loader | size %d, Resize(%d), batch size %d, seed %d |\n", r.Loader.Size, r.Loader.Resize, r.Loader.BatchSize, r.Loader.Seed)
	if r.Machine != "" {
		w("| machine | %s |\n", r.Machine)
	}
	if r.Checkpoint != "" {
		w("| checkpoint | %s |\n", r.Checkpoint)
	}
	for _, k := range slices.Sorted(maps.Keys(r.Models)) {
		w("| model file (%s) | %s |\n", k, r.Models[k])
	}
	w("\n")
	for _, n := range r.Notes {
		w("> %s\n\n", n)
	}

	if len(r.Phases) > 0 {
		w("## Phases\n\n")
	}
	for i, p := range r.Phases {
		w("### %d. Learner %d: %s\n\n", i+1, p.Learner, p.Name)
		var steps []string
		if p.Freeze != "" {
			steps = append(steps, "`"+p.Freeze+"`")
		}
		if f := p.LRFind; f != nil {
			s := fmt.Sprintf("`lr_find()` (%d iterations, %s)", f.Iterations, Duration(f.Seconds))
			if f.Suggested {
				s += fmt.Sprintf(": SuggestedLRs(lr_min=%s, lr_steep=%s)", short(f.LRMin), short(f.LRSteep))
			}
			steps = append(steps, s)
		}
		steps = append(steps, "`"+p.Fit+"`")
		w("%s\n\n", strings.Join(steps, " → "))
		if p.LRFind != nil && p.LRFind.Plot != "" {
			w("![lr_find](%s)\n\n", p.LRFind.Plot)
		}
		if len(p.Rows) > 0 {
			cols := p.Columns
			if len(cols) > 0 && cols[len(cols)-1] == "time" {
				cols = cols[:len(cols)-1]
			}
			w("| %s | mAP (VOC07) | time |\n", strings.Join(cols, " | "))
			w("|%s---|---|\n", strings.Repeat("---|", len(cols)))
			for _, row := range p.Rows {
				cells := []string{strconv.Itoa(row.Epoch)}
				for _, v := range row.Values {
					cells = append(cells, fixed(v, 6))
				}
				w("| %s | %s | %s |\n", strings.Join(cells, " | "), fixed(row.MAP07, 4), Duration(row.Seconds))
			}
			w("\n")
		}
		if !p.Done {
			w("*(not finished)*\n\n")
		}
	}

	if len(r.Results) > 0 {
		w("## Results on the validation set\n\n")
		w("AP is computed per class from the sigmoid scores, with the VOC2007 11-point definition and the VOC2010+ area definition (SPEC §10.1; no difficult flags); mAP is their mean over the classes that have positives.\n\n")
	}
	for _, e := range r.Results {
		writeEval(&b, e)
	}
	if len(r.Images) > 0 {
		w("## Images\n\n")
		for _, k := range slices.Sorted(maps.Keys(r.Images)) {
			w("**%s** — `%s`\n\n![%s](%s)\n\n", k, r.Images[k], k, r.Images[k])
		}
	}
	return b.String()
}

func writeEval(b *strings.Builder, e *Eval) {
	w := func(format string, a ...any) { fmt.Fprintf(b, format, a...) }
	w("### Learner %d: %s (%d images)\n\n", e.Learner, e.Name, e.Images)
	if s := e.Single; s != nil {
		w("Single-label: accuracy **%s**, error_rate %s (the arg-max class against the target).\n\n", fixed(s.Accuracy, 4), fixed(s.ErrorRate, 4))
		if len(s.MostConfused) > 0 {
			w("Most confused (actual → predicted: images):")
			for _, c := range s.MostConfused {
				w(" %s → %s: %d;", c.Actual, c.Predicted, c.Count)
			}
			w("\n\n")
		}
		if s.Plot != "" {
			w("Confusion matrix: `%s`\n\n", s.Plot)
		}
		w("Average precision of each class's logit as a one-vs-rest ranking:\n\n")
		w("| class | AP (VOC07) | AP (VOC2010) |\n|---|---|---|\n")
		for i, c := range e.Classes {
			w("| %s | %s | %s |\n", c, fixed(at(e.AP07, i), 4), fixed(at(e.AP10, i), 4))
		}
		w("| **mean** | **%s** | **%s** |\n\n", fixed(e.MAP07, 4), fixed(e.MAP10, 4))
		return
	}
	w("mAP: **%s** (VOC2007 11-point), **%s** (VOC2010 area); a random ranking scores about %s. accuracy_multi at 0.5: %s; all-negative baseline: %s.\n\n",
		fixed(e.MAP07, 4), fixed(e.MAP10, 4), fixed(e.ChanceMAP, 4), fixed(e.AccuracyAt(0.5), 4), fixed(e.Baseline, 4))
	if len(e.Thresholds) > 0 {
		w("| threshold |")
		for _, t := range e.Thresholds {
			w(" %g |", t)
		}
		w("\n|---|%s\n| accuracy_multi |", strings.Repeat("---|", len(e.Thresholds)))
		for _, a := range e.Accuracy {
			w(" %s |", fixed(a, 4))
		}
		w("\n\n")
	}
	w("| class | AP (VOC07) | AP (VOC2010) |\n|---|---|---|\n")
	for i, c := range e.Classes {
		w("| %s | %s | %s |\n", c, fixed(at(e.AP07, i), 4), fixed(at(e.AP10, i), 4))
	}
	w("| **mean** | **%s** | **%s** |\n\n", fixed(e.MAP07, 4), fixed(e.MAP10, 4))
}

// AccuracyAt returns the accuracy at threshold t, or NaN when it was not measured.
func (e *Eval) AccuracyAt(t float64) Float {
	for i, th := range e.Thresholds {
		if math.Abs(th-t) < 1e-12 && i < len(e.Accuracy) {
			return e.Accuracy[i]
		}
	}
	return Float(math.NaN())
}

func at(x []Float, i int) Float {
	if i < len(x) {
		return x[i]
	}
	return Float(math.NaN())
}

// fixed formats v with prec decimals (nan, inf for the others).
func fixed(v Float, prec int) string {
	f := float64(v)
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'f', prec, 64)
}

// short formats a learning rate the way Python shows it, to 3 significant digits.
func short(v Float) string {
	return strconv.FormatFloat(float64(v), 'g', 3, 64)
}

// Duration formats seconds as 1h02m03s, 2m03s or 3.2s.
func Duration(s float64) string {
	d := time.Duration(s * float64(time.Second))
	switch {
	case d >= time.Hour:
		return fmt.Sprintf("%dh%02dm%02ds", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
	case d >= time.Minute:
		return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%.1fs", s)
}

// Thousands writes n with a comma between groups of three digits (24,523,484).
func Thousands(n int) string {
	s := strconv.Itoa(n)
	sign := ""
	if n < 0 {
		sign, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return sign + s
}
