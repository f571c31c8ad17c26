package metrics

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"sort"
	"testing"

	"github.com/fastgo/fastgo/tensor"
)

func TestAccuracyMultiHandChecked(t *testing.T) {
	// σ(0) = 0.5 is not > 0.5: a zero logit predicts "absent".
	logits := []float32{0, 2, -2, 0.1}
	targets := []float32{0, 1, 1, 0}
	// predictions: F T F T; agreement with targets: T T F F → 0.5
	if got := AccuracyMulti(logits, targets, 0.5, true); got != 0.5 {
		t.Errorf("accuracy_multi = %v, want 0.5", got)
	}
	// Threshold 0.1 on σ: σ(−2) = 0.119 > 0.1 → predictions F? σ(0)=0.5>0.1 T, T, T, T → agree F T T F
	if got := AccuracyMulti(logits, targets, 0.1, true); got != 0.5 {
		t.Errorf("accuracy_multi(thresh 0.1) = %v, want 0.5", got)
	}
	// Without sigmoid, the logits are compared directly: 0>0.5 F, 2 T, −2 F, 0.1 F → T T F T
	if got := AccuracyMulti(logits, targets, 0.5, false); got != 0.75 {
		t.Errorf("accuracy_multi(sigmoid=False) = %v, want 0.75", got)
	}
	// Strict > in float32: a probability equal to float32(thresh) is not above it.
	if got := AccuracyMulti([]float32{0.1}, []float32{1}, 0.1, false); got != 0 {
		t.Errorf("0.1 > 0.1 counted as a prediction")
	}
}

func TestAccuracyMultiAgainstTorchFixture(t *testing.T) {
	logits, err := tensor.LoadNPY(filepath.Join("testdata", "acc_logits.npy"))
	if err != nil {
		t.Fatal(err)
	}
	targets, err := tensor.LoadNPY(filepath.Join("testdata", "acc_targets.npy"))
	if err != nil {
		t.Fatal(err)
	}
	want, _, err := tensor.LoadNPY64(filepath.Join("testdata", "acc_thresh_0.1_to_0.9.npy"))
	if err != nil {
		t.Fatal(err)
	}
	ms := AccuracyMultiThresholds()
	if len(ms) != 9 {
		t.Fatalf("%d default thresholds, want 9", len(ms))
	}
	for i, m := range ms {
		if m.Name() != "accuracy_multi" {
			t.Errorf("column %d named %q", i, m.Name())
		}
		m.Reset()
		// Split into batches of 16, 16, 5: the weighted mean equals the whole-set mean.
		for lo := 0; lo < logits.Dim(0); lo += 16 {
			hi := min(lo+16, logits.Dim(0))
			if err := m.Accumulate(logits.Slice(lo, hi), targets.Slice(lo, hi)); err != nil {
				t.Fatal(err)
			}
		}
		if got := m.Value(); math.Abs(got-want[i]) > 1e-7 {
			t.Errorf("thresh %v: %v, fastai %v", float64(i+1)/10, got, want[i])
		}
	}
}

func TestAvgMetricWeightsByBatchSize(t *testing.T) {
	m := NewAvgMetric("mean", func(l, _ []float32) float32 {
		var s float32
		for _, x := range l {
			s += x
		}
		return s / float32(len(l))
	})
	if !math.IsNaN(m.Value()) {
		t.Error("value before any batch should be NaN")
	}
	_ = m.Accumulate(tensor.FromData([]float32{1, 1, 1, 1}, 2, 2), tensor.New(2, 2)) // mean 1, B=2
	_ = m.Accumulate(tensor.FromData([]float32{4, 4}, 1, 2), tensor.New(1, 2))       // mean 4, B=1
	if got := m.Value(); got != 2 {
		t.Errorf("weighted mean = %v, want (1·2+4·1)/3 = 2", got)
	}
	if err := m.Accumulate(tensor.New(2, 2), tensor.New(2, 3)); err == nil {
		t.Error("mismatched shapes accepted")
	}
}

func TestAveragePrecisionHandChecked(t *testing.T) {
	scores := []float32{0.9, 0.8, 0.7, 0.6}
	gt := []int8{1, -1, 1, -1}
	// rec = .5 .5 1 1, prec = 1 .5 .667 .5
	// 11-point: t = 0…0.5 → 1 (6 points), t = 0.6…1 → 2/3 (5 points).
	ap, _ := AveragePrecision(scores, gt, VOC07)
	if want := (6 + 5*2.0/3) / 11; math.Abs(ap-want) > 1e-15 {
		t.Errorf("VOC07 AP = %v, want %v", ap, want)
	}
	// area: 0.5·1 + 0.5·2/3
	ap, _ = AveragePrecision(scores, gt, VOC10)
	if want := 0.5 + 0.5*2.0/3; math.Abs(ap-want) > 1e-15 {
		t.Errorf("VOC10 AP = %v, want %v", ap, want)
	}
	// A difficult item counts as neither: removing the top negative's effect.
	ap, _ = AveragePrecision(scores, []int8{1, 0, 1, -1}, VOC10)
	if ap != 1 {
		t.Errorf("AP with the only ranked-above negative difficult = %v, want 1", ap)
	}
	// Exact decimal thresholds: recall 3/5 = 0.6 must count for t = 0.6 (numpy's arange
	// gives 0.6000000000000001 and would miss it).
	s := []float32{9, 8, 7, 6, 5, 4, 3, 2}
	g := []int8{1, 1, 1, -1, -1, -1, 1, 1}
	// ranks: P P P N N N P P → rec .2 .4 .6 .6 .6 .6 .8 1; prec 1 1 1 .75 .6 .5 4/7 5/8.
	// t = 0…0.6 → 1 (7 points); t = .7…1 → the best precision at recall ≥ t is 5/8.
	ap, _ = AveragePrecision(s, g, VOC07)
	want := (7*1.0 + 4*(5.0/8)) / 11
	if math.Abs(ap-want) > 1e-15 {
		t.Errorf("VOC07 AP with recall exactly 0.6 = %v, want %v", ap, want)
	}
	// Ties keep input order (stable sort).
	ap, _ = AveragePrecision([]float32{1, 1}, []int8{-1, 1}, VOC10)
	if ap != 0.5 {
		t.Errorf("tied scores: AP %v, want 0.5 (negative ranked first)", ap)
	}
	if ap, _ := AveragePrecision([]float32{1}, []int8{-1}, VOC07); !math.IsNaN(ap) {
		t.Errorf("no positives: AP %v, want NaN", ap)
	}
	if _, err := AveragePrecision([]float32{1}, []int8{2}, VOC07); err == nil {
		t.Error("label 2 accepted")
	}
	if _, err := AveragePrecision([]float32{float32(math.NaN())}, []int8{1}, VOC07); err == nil {
		t.Error("NaN score accepted")
	}
}

// refAP computes AP straight from the definitions, differently from the implementation:
// ranks are ordered by (score desc, index asc) with a full comparison sort, precision at
// a recall level is found by scanning all ranks, and the VOC10 area is integrated over
// recall steps as Σ_k (rec_k − rec_{k−1})·max_{j≥k} prec_j.
func refAP(scores []float32, pos []bool, voc07 bool) float64 {
	n := len(scores)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool {
		sa, sb := scores[order[a]], scores[order[b]]
		if sa != sb {
			return sa > sb
		}
		return order[a] < order[b]
	})
	npos := 0
	for _, p := range pos {
		if p {
			npos++
		}
	}
	rec := make([]float64, n)
	prec := make([]float64, n)
	for k := range order {
		tp := 0
		for _, i := range order[:k+1] {
			if pos[i] {
				tp++
			}
		}
		rec[k] = float64(tp) / float64(npos)
		prec[k] = float64(tp) / float64(k+1)
	}
	if voc07 {
		var ap float64
		for _, t := range []float64{0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1} {
			best := 0.0
			for k := range rec {
				if rec[k] >= t {
					best = math.Max(best, prec[k])
				}
			}
			ap += best / 11
		}
		return ap
	}
	var ap, prevRec float64
	for k := range rec {
		maxPrec := 0.0
		for j := k; j < n; j++ {
			maxPrec = math.Max(maxPrec, prec[j])
		}
		ap += (rec[k] - prevRec) * maxPrec
		prevRec = rec[k]
	}
	return ap
}

func TestMeanAPAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const n, c = 53, 6
	scores := tensor.New(n, c)
	targets := tensor.New(n, c)
	sd, td := scores.Data(), targets.Data()
	for i := range sd {
		pos := rng.Float64() < 0.3
		if pos {
			td[i] = 1
		}
		// Informative but noisy scores, quantised so that ties occur.
		v := rng.NormFloat64()
		if pos {
			v += 1
		}
		sd[i] = float32(math.Round(v*4) / 4)
	}
	for j := 0; j < c; j++ { // every class needs a positive
		td[j] = 1
	}
	for _, m := range []APMethod{VOC07, VOC10} {
		per, mean, err := MeanAP(scores, targets, m)
		if err != nil {
			t.Fatal(err)
		}
		var sum float64
		for j := 0; j < c; j++ {
			col := make([]float32, n)
			pos := make([]bool, n)
			for i := 0; i < n; i++ {
				col[i], pos[i] = sd[i*c+j], td[i*c+j] != 0
			}
			want := refAP(col, pos, m == VOC07)
			if math.Abs(per[j]-want) > 1e-12 {
				t.Errorf("%v class %d: AP %v, reference %v", m, j, per[j], want)
			}
			sum += want
		}
		if math.Abs(mean-sum/c) > 1e-12 {
			t.Errorf("%v mAP %v, reference %v", m, mean, sum/c)
		}
		// The metric column over three batches gives the same.
		metric := NewMAP(m)
		metric.Reset()
		for lo := 0; lo < n; lo += 20 {
			hi := min(lo+20, n)
			if err := metric.Accumulate(scores.Slice(lo, hi), targets.Slice(lo, hi)); err != nil {
				t.Fatal(err)
			}
		}
		if got := metric.Value(); math.Abs(got-mean) > 1e-15 {
			t.Errorf("%s over batches = %v, want %v", metric.Name(), got, mean)
		}
	}
}

func TestFBetaHandChecked(t *testing.T) {
	// Two samples, three classes; logits far from 0 so σ > 0.5 ⇔ logit > 0.
	logits := []float32{5, 5, -5, -5, 5, -5}
	targets := []float32{1, 0, 0, 1, 1, 0}
	// sample 0: tp 1 fp 1 fn 0; sample 1: tp 1 fp 0 fn 1.
	// F1 per sample: 2·1/(2+0+1) = 2/3 and 2/(2+1+0) = 2/3 → samples 2/3.
	// micro: tp 2 fp 1 fn 1 → 4/6; macro: class0 tp1 fn1 → 2/3; class1 tp1 fp1 → 2/3; class2 → 0.
	cases := []struct {
		avg  Average
		beta float64
		want float64
	}{
		{Samples, 1, 2.0 / 3}, {Micro, 1, 4.0 / 6}, {Macro, 1, (2.0/3 + 2.0/3 + 0) / 3},
		// β = 2, samples: sample0 5·1/(5+4·0+1) = 5/6; sample1 5/(5+4+0) = 5/9.
		{Samples, 2, (5.0/6 + 5.0/9) / 2},
	}
	for _, c := range cases {
		got, err := FBeta(logits, targets, 3, c.beta, 0.5, true, c.avg)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-c.want) > 1e-15 {
			t.Errorf("avg %d β %v: %v, want %v", c.avg, c.beta, got, c.want)
		}
	}
	if _, err := FBeta(logits, targets, 4, 1, 0.5, true, Micro); err == nil {
		t.Error("6 values as [N, 4] accepted")
	}
	m := NewFBetaMulti(1, 0.5, Samples)
	m.Reset()
	_ = m.Accumulate(tensor.FromData(logits[:3], 1, 3), tensor.FromData(targets[:3], 1, 3))
	_ = m.Accumulate(tensor.FromData(logits[3:], 1, 3), tensor.FromData(targets[3:], 1, 3))
	if got := m.Value(); math.Abs(got-2.0/3) > 1e-15 || m.Name() != "fbeta_score" {
		t.Errorf("%s over batches = %v", m.Name(), got)
	}
}

// TestFBetaAgainstReference checks F-beta on random data against precision/recall
// computed with sets.
func TestFBetaAgainstReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	const n, c, beta = 40, 5, 0.5
	logits := make([]float32, n*c)
	targets := make([]float32, n*c)
	for i := range logits {
		logits[i] = float32(rng.NormFloat64() * 2)
		if rng.Float64() < 0.4 {
			targets[i] = 1
		}
	}
	f := func(pred, truth []bool) float64 {
		var tp, np, nt float64
		for i := range pred {
			if pred[i] {
				np++
			}
			if truth[i] {
				nt++
			}
			if pred[i] && truth[i] {
				tp++
			}
		}
		if np == 0 || nt == 0 || tp == 0 {
			return 0
		}
		p, r := tp/np, tp/nt
		return (1 + beta*beta) * p * r / (beta*beta*p + r)
	}
	var samples, macro float64
	for i := 0; i < n; i++ {
		pr, tr := make([]bool, c), make([]bool, c)
		for j := 0; j < c; j++ {
			pr[j] = 1/(1+math.Exp(-float64(logits[i*c+j]))) > 0.5
			tr[j] = targets[i*c+j] != 0
		}
		samples += f(pr, tr) / n
	}
	for j := 0; j < c; j++ {
		pr, tr := make([]bool, n), make([]bool, n)
		for i := 0; i < n; i++ {
			pr[i] = logits[i*c+j] > 0
			tr[i] = targets[i*c+j] != 0
		}
		macro += f(pr, tr) / c
	}
	for avg, want := range map[Average]float64{Samples: samples, Macro: macro} {
		got, err := FBeta(logits, targets, c, beta, 0.5, true, avg)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("average %d: %v, reference %v", avg, got, want)
		}
	}
}
