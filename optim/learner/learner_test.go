package learner

import (
	"bytes"
	"errors"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/optim"
	"github.com/fastgo/fastgo/optim/metrics"
	"github.com/fastgo/fastgo/tensor"
)

// Toy problem sizes: 64 training items in batches of 8 (8 iterations per epoch), 20
// validation items in batches 8, 8, 4.
const (
	toyS, toyC, toyHidden = 2, 4, 16
	toyTrainN, toyValidN  = 64, 20
	toyBS                 = 8
)

type toySetup struct {
	l            *Learner
	m            *toyModel
	train, valid *toyLoader
	out          *bytes.Buffer
}

// fakeClock advances one second per call.
func fakeClock() func() time.Time {
	t := time.Unix(0, 0)
	return func() time.Time { t = t.Add(time.Second); return t }
}

func newToy(t *testing.T, cfg Config) *toySetup {
	t.Helper()
	data := newToyData(1, toyTrainN+toyValidN, toyS, toyC)
	train := &toyData{x: data.x[:toyTrainN], y: data.y[:toyTrainN], s: toyS, c: toyC}
	valid := &toyData{x: data.x[toyTrainN:], y: data.y[toyTrainN:], s: toyS, c: toyC}
	s := &toySetup{m: newToyModel(2, 3*toyS*toyS, toyHidden, toyC), out: &bytes.Buffer{},
		train: newToyLoader(train, toyBS, true, 3), valid: newToyLoader(valid, toyBS, false, 4)}
	if cfg.Out == nil {
		cfg.Out = s.out
	}
	if cfg.Progress == ProgressAuto {
		cfg.Progress = ProgressOff
	}
	if cfg.Clock == nil {
		cfg.Clock = fakeClock()
	}
	l, err := New(s.m, s.train, s.valid, cfg)
	if err != nil {
		t.Fatal(err)
	}
	s.l = l
	return s
}

// tableRows parses the printed epoch table: the header and each row's fields.
func tableRows(t *testing.T, out string) (header string, rows [][]string) {
	t.Helper()
	for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if strings.HasPrefix(line, "epoch") {
			header = line
			continue
		}
		if f := strings.Fields(line); len(f) > 0 && regexp.MustCompile(`^\d+$`).MatchString(f[0]) {
			rows = append(rows, f)
		}
	}
	return header, rows
}

func TestTrainingLossFallsInTable(t *testing.T) {
	s := newToy(t, Config{Metrics: []metrics.Metric{metrics.NewAccuracyMulti(0.5)}})
	if err := s.l.FitOneCycle(8, optim.LRValue(3e-2), DefaultOneCycle()); err != nil {
		t.Fatal(err)
	}
	t.Logf("table:\n%s", s.out.String())
	header, rows := tableRows(t, s.out.String())
	if header != "epoch     train_loss  valid_loss  accuracy_multi  time    " {
		t.Fatalf("header %q", header)
	}
	if len(rows) != 8 {
		t.Fatalf("%d rows, want 8", len(rows))
	}
	num := regexp.MustCompile(`^\d+\.\d{6}$`)
	var train, valid []float64
	for i, r := range rows {
		if len(r) != 5 || r[0] != strconv.Itoa(i) || !num.MatchString(r[1]) || !num.MatchString(r[2]) ||
			!num.MatchString(r[3]) || !regexp.MustCompile(`^\d\d:\d\d$`).MatchString(r[4]) {
			t.Fatalf("row %d malformed: %q", i, r)
		}
		tr, _ := strconv.ParseFloat(r[1], 64)
		va, _ := strconv.ParseFloat(r[2], 64)
		train, valid = append(train, tr), append(valid, va)
	}
	if !(train[7] < 0.7*train[0]) || !(valid[7] < valid[0]) {
		t.Errorf("losses did not fall: train %v, valid %v", train, valid)
	}
	// The printed numbers are the recorder's, to 6 decimals.
	for i, v := range s.l.Recorder.Values {
		if got := strconv.FormatFloat(v[0], 'f', 6, 64); got != rows[i][1] {
			t.Errorf("row %d train_loss %s, recorder %s", i, rows[i][1], got)
		}
	}
}

func TestTableLayout(t *testing.T) {
	var tab table
	h := tab.header([]string{"epoch", "train_loss", "valid_loss", "accuracy_multi", "time"})
	if h != "epoch     train_loss  valid_loss  accuracy_multi  time    " {
		t.Errorf("header %q", h)
	}
	r := tab.row(epochRow(3, []float64{0.1234564, 0.5, math.NaN()}, nil, 65.9))
	// Each value is followed by spaces up to its column width + 2 (fastprogress).
	want := "3" + strings.Repeat(" ", 9) + "0.123456" + strings.Repeat(" ", 4) + "0.500000" + strings.Repeat(" ", 4) +
		"nan" + strings.Repeat(" ", 13) + "01:05" + strings.Repeat(" ", 5)
	if r != want {
		t.Errorf("row\n%q, want\n%q", r, want)
	}
	for sec, want := range map[float64]string{0: "00:00", 59.9: "00:59", 61: "01:01", 3600: "1:00:00", 3725.2: "1:02:05"} {
		if got := FormatTime(sec); got != want {
			t.Errorf("FormatTime(%v) = %q, want %q", sec, got, want)
		}
	}
}

// evalLoss recomputes valid_loss (Σ loss_b·B_b / Σ B_b) and accuracy_multi independently.
func evalLoss(m *toyModel, valid *toyLoader) (float64, float64) {
	var sum, n, hits, total float64
	for b := range valid.Batches() {
		g := autograd.NewGraph(nil, autograd.NoGrad)
		pred := m.Forward(g, g.Input(b.X))
		loss := autograd.BCEWithLogits(pred, b.Y)
		bs := float64(b.Y.Dim(0))
		sum += float64(loss.Value.Data()[0]) * bs
		n += bs
		for i, x := range pred.Value.Data() {
			if (1/(1+math.Exp(-float64(x))) > 0.5) == (b.Y.Data()[i] != 0) {
				hits++
			}
			total++
		}
	}
	return sum / n, hits / total
}

func TestValidLossAndMetricAreWholeSetMeans(t *testing.T) {
	s := newToy(t, Config{Metrics: []metrics.Metric{metrics.NewAccuracyMulti(0.5)}})
	if err := s.l.Fit(1, optim.LRValue(1e-2)); err != nil {
		t.Fatal(err)
	}
	loss, acc := evalLoss(s.m, s.valid)
	v := s.l.Recorder.Values[0]
	if math.Abs(v[1]-loss) > 1e-6 || math.Abs(v[2]-acc) > 1e-6 {
		t.Errorf("valid_loss %v accuracy %v, recomputed %v %v", v[1], v[2], loss, acc)
	}
}

// hyperLog records every group's hyper-parameters before each training batch.
type hyperLog struct{ hs [][]optim.Hyper }

func (h *hyperLog) Handle(e Event, l *Learner) error {
	if e == BeforeBatch && l.Training {
		h.hs = append(h.hs, l.Opt.Hypers())
	}
	return nil
}

func TestOneCycleSetsHypersBeforeEveryBatch(t *testing.T) {
	log := &hyperLog{}
	s := newToy(t, Config{Callbacks: []Callback{log}})
	lrMax := optim.LRRange(1e-4, 1e-2)
	if err := s.l.FitOneCycle(3, lrMax, DefaultOneCycle()); err != nil {
		t.Fatal(err)
	}
	L, _ := lrMax.Spread(3)
	const n = 3 * 8
	if len(log.hs) != n {
		t.Fatalf("%d batches logged, want %d", len(log.hs), n)
	}
	for k, hs := range log.hs {
		pos := float64(k) / n
		for g, h := range hs {
			want := specCombined(0.25, L[g]/25, L[g], L[g]/1e5, pos)
			if math.Abs(h.LR-want) > 1e-6*L[g] {
				t.Errorf("batch %d group %d: lr %v, SPEC %v", k, g, h.LR, want)
			}
		}
		if want := specCombined(0.25, 0.95, 0.85, 0.95, pos); math.Abs(hs[0].Mom-want) > 1e-6 {
			t.Errorf("batch %d: mom %v, SPEC %v", k, hs[0].Mom, want)
		}
		if s.l.Recorder.LRs[k] != hs[2].LR || s.l.Recorder.Moms[k] != hs[2].Mom {
			t.Errorf("batch %d: recorder has lr %v mom %v, the head group had %v %v", k, s.l.Recorder.LRs[k], s.l.Recorder.Moms[k], hs[2].LR, hs[2].Mom)
		}
	}
	for g := range L {
		if log.hs[0][g].LR != L[g]/25 {
			t.Errorf("first batch group %d lr %v, want exactly %v", g, log.hs[0][g].LR, L[g]/25)
		}
	}
	if log.hs[0][0].Mom != 0.95 {
		t.Errorf("first batch mom %v", log.hs[0][0].Mom)
	}
}

// specCombined is SPEC §4's combined_cos in float64.
func specCombined(pct, a, b, c, pos float64) float64 {
	cos := func(a, b, p float64) float64 { return a + (b-a)*(1-math.Cos(math.Pi*p))/2 }
	if pos < pct {
		return cos(a, b, pos/pct)
	}
	return cos(b, c, (pos-pct)/(1-pct))
}

func values(p *optim.Param) []float32 { return append([]float32(nil), p.Var.Value.Data()...) }

func same(a, b []float32) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return len(a) == len(b)
}

func TestFreezeSemantics(t *testing.T) {
	log := &hyperLog{}
	s := newToy(t, Config{Callbacks: []Callback{log}})
	m := s.m
	before := map[*optim.Param][]float32{}
	for _, p := range m.all() {
		before[p] = values(p)
	}
	s.l.Freeze()
	if err := s.l.Fit(1, optim.LRValue(1e-2)); err != nil {
		t.Fatal(err)
	}
	// Frozen body weights never got a gradient: untouched, not even decayed.
	for _, p := range []*optim.Param{m.w1, m.w2} {
		if !same(values(p), before[p]) || p.Var.Grad != nil {
			t.Errorf("frozen %s changed or got a gradient", p.Name)
		}
	}
	// The head and the BatchNorm-like scale of the frozen body train.
	for _, p := range []*optim.Param{m.s1, m.w3, m.b3} {
		if same(values(p), before[p]) {
			t.Errorf("%s did not train", p.Name)
		}
	}

	s.l.Unfreeze()
	if err := s.l.Fit(1, optim.LRValue(1e-2)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*optim.Param{m.w1, m.w2} {
		if same(values(p), before[p]) {
			t.Errorf("unfrozen %s did not train", p.Name)
		}
	}

	// Re-frozen: w1 and w2 keep zero gradients and are only decayed, each step, by
	// (1 − lr·wd) with their own group's scheduled lr (SPEC §3).
	s.l.FreezeTo(-1)
	w1, w2 := values(m.w1), values(m.w2)
	log.hs = nil
	if err := s.l.FitOneCycle(1, optim.LRValue(1e-2), DefaultOneCycle()); err != nil {
		t.Fatal(err)
	}
	for _, hs := range log.hs {
		f1, f2 := float32(1-hs[0].LR*hs[0].WD), float32(1-hs[1].LR*hs[1].WD)
		for i := range w1 {
			w1[i] *= f1
		}
		for i := range w2 {
			w2[i] *= f2
		}
	}
	if !same(values(m.w1), w1) || !same(values(m.w2), w2) {
		t.Errorf("re-frozen weights are not exactly the stale-gradient decay of their values")
	}
	if len(log.hs) != 8 || log.hs[0][0].WD != 0.01 {
		t.Fatalf("logged %d batches, wd %v", len(log.hs), log.hs[0][0].WD)
	}
}

func TestNonFiniteLossStops(t *testing.T) {
	calls := 0
	var atBatch2 []float32
	nanLoss := func(logits *autograd.Var, y *tensor.Tensor) *autograd.Var {
		loss := autograd.BCEWithLogits(logits, y)
		calls++
		if calls == 3 {
			loss.Value.Data()[0] = float32(math.Inf(1))
		}
		return loss
	}
	snap := CallbackFunc(func(e Event, l *Learner) error {
		if e == AfterBatch && l.Training && l.Iter == 1 {
			atBatch2 = values(l.Model.(*toyModel).w3)
		}
		return nil
	})
	s := newToy(t, Config{Loss: nanLoss, Callbacks: []Callback{snap}})
	err := s.l.Fit(2, optim.LRValue(1e-2))
	if !errors.Is(err, ErrNonFinite) {
		t.Fatalf("error %v, want ErrNonFinite", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "+Inf at epoch 0, training batch 3/8 (lr 0.01)") {
		t.Errorf("message %q does not say where", msg)
	}
	if !same(values(s.m.w3), atBatch2) {
		t.Error("the optimiser stepped on the non-finite loss")
	}

	calls = 0
	s = newToy(t, Config{Loss: nanLoss, KeepNonFinite: true})
	if err := s.l.Fit(1, optim.LRValue(1e-2)); err != nil {
		t.Errorf("KeepNonFinite: %v", err)
	}
}

func TestFineTune(t *testing.T) {
	log := &hyperLog{}
	var frozenDuringFirst []bool
	watch := CallbackFunc(func(e Event, l *Learner) error {
		if e == BeforeFit {
			frozenDuringFirst = append(frozenDuringFirst, !l.Model.(*toyModel).w1.Var.RequiresGrad())
		}
		return nil
	})
	s := newToy(t, Config{Callbacks: []Callback{log, watch}})
	if err := s.l.FineTune(1, DefaultFineTune()); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(s.out.String(), "epoch     train_loss"); n != 2 {
		t.Errorf("%d tables printed, want 2", n)
	}
	if len(frozenDuringFirst) != 2 || !frozenDuringFirst[0] || frozenDuringFirst[1] {
		t.Errorf("frozen at the start of each fit: %v, want [true false]", frozenDuringFirst)
	}
	if len(log.hs) != 16 {
		t.Fatalf("%d batches", len(log.hs))
	}
	want := func(k int, lrs ...float64) {
		for g, lr := range lrs {
			if math.Abs(log.hs[k][g].LR-lr) > 1e-12*lr {
				t.Errorf("batch %d group %d: lr %v, want %v", k, g, log.hs[k][g].LR, lr)
			}
		}
	}
	want(0, 2e-4/25, 2e-4/25, 2e-3/25)
	want(8, 1e-5/5, 1e-4/5, 1e-3/5)
	// pct_start 0.99: the frozen phase is warming up throughout and never reaches 2e-3.
	for k := 1; k < 8; k++ {
		if !(log.hs[k][2].LR > log.hs[k-1][2].LR && log.hs[k][2].LR < 2e-3) {
			t.Errorf("frozen phase batch %d lr %v is not still rising below the peak", k, log.hs[k][2].LR)
		}
	}
}

func TestCallbacksCancelAndFail(t *testing.T) {
	var events []Event
	stopAt3 := CallbackFunc(func(e Event, l *Learner) error {
		events = append(events, e)
		if e == AfterBatch && l.Training && l.TrainIter == 3 {
			return ErrCancelFit
		}
		return nil
	})
	s := newToy(t, Config{Callbacks: []Callback{stopAt3}})
	if err := s.l.Fit(2, optim.LRValue(1e-3)); err != nil {
		t.Fatal(err)
	}
	if len(s.l.Recorder.LRs) != 3 || events[len(events)-1] != AfterFit {
		t.Errorf("cancel: %d batches, last event %v", len(s.l.Recorder.LRs), events[len(events)-1])
	}
	if s.train.released == 0 {
		t.Error("loader not told the loop ended")
	}
	boom := errors.New("boom")
	s = newToy(t, Config{Callbacks: []Callback{CallbackFunc(func(e Event, l *Learner) error {
		if e == AfterEpoch {
			return boom
		}
		return nil
	})}})
	if err := s.l.Fit(2, optim.LRValue(1e-3)); !errors.Is(err, boom) {
		t.Errorf("error %v, want boom", err)
	}
}

type shortLoader struct{ *toyLoader }

func (s shortLoader) Len() int { return s.toyLoader.Len() + 1 }

func TestLoaderLengthMismatch(t *testing.T) {
	s := newToy(t, Config{})
	s.l.Train = shortLoader{s.train}
	err := s.l.Fit(1, optim.LRValue(1e-3))
	if err == nil || !strings.Contains(err.Error(), "yielded 8 batches, its Len() is 9") {
		t.Errorf("error %v", err)
	}
}

func TestProgressDisplay(t *testing.T) {
	var prog bytes.Buffer
	s := newToy(t, Config{Progress: ProgressLines, ProgressOut: &prog})
	if err := s.l.Fit(1, optim.LRValue(1e-3)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(prog.String()), "\n")
	if len(lines) != 8+3 { // every batch of 8 crosses a tenth; 3 validation batches
		t.Errorf("%d progress lines:\n%s", len(lines), prog.String())
	}
	re := regexp.MustCompile(`^Epoch 1/1 train 100\.00% \[8/8 \d\d:\d\d<00:00 \d+\.\d\d it/s \d\.\d{4}\]$`)
	if !re.MatchString(lines[7]) {
		t.Errorf("last training line %q", lines[7])
	}
	if !strings.HasPrefix(lines[10], "Epoch 1/1 valid 100.00% [3/3 ") {
		t.Errorf("last validation line %q", lines[10])
	}

	prog.Reset()
	s = newToy(t, Config{Progress: ProgressBar, ProgressOut: &prog})
	if err := s.l.Fit(1, optim.LRValue(1e-3)); err != nil {
		t.Fatal(err)
	}
	if out := prog.String(); !strings.Contains(out, "\rEpoch 1/1 train |"+strings.Repeat("█", 20)+strings.Repeat("-", 20)+"| 50.00% [4/8 ") ||
		strings.Contains(out, "\n") {
		t.Errorf("bar output %q", out)
	}
	if p := newProgress(&prog, ProgressAuto, time.Now); p.mode != ProgressLines {
		t.Errorf("a buffer should get plain lines, got mode %d", p.mode)
	}
}
