package learner

import (
	"errors"
	"fmt"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/optim"
)

// fitSpec describes one fit call.
type fitSpec struct {
	desc       string // the call with its arguments; a resumed fit must match it
	nEpoch     int
	lr         optim.LR   // set on all groups first (fastai's fit(lr=...)); zero: the learner's LR
	cbs        []Callback // the fit's own callbacks (schedules), run first
	noLog      bool       // no table (lr_find)
	skipValid  bool       // no validation (lr_find)
	nanStop    bool       // stop on a non-finite loss
	checkpoint bool       // call Config.OnCheckpoint after each epoch
}

// Fit trains for nEpoch epochs at the constant learning rate lr (zero: the learner's LR),
// spread over the groups as fastai does (fastai's fit).
func (l *Learner) Fit(nEpoch int, lr optim.LR) error {
	desc := fmt.Sprintf("fit(n_epoch=%d, lr=%v)", nEpoch, lrArg(lr))
	return l.run(&fitSpec{desc: desc, nEpoch: nEpoch, lr: lr, nanStop: !l.cfg.KeepNonFinite, checkpoint: true})
}

func lrArg(lr optim.LR) string {
	if lr.IsZero() {
		return "None"
	}
	return lr.String()
}

// run is fastai's Learner.fit: the events, epochs and batches of one fit.
func (l *Learner) run(s *fitSpec) error {
	idx := l.fitCount
	l.fitCount++
	var resume *Checkpoint
	if ck := l.pending; ck != nil {
		switch {
		case idx < ck.FitIndex:
			return nil // finished before the checkpoint was taken
		case idx > ck.FitIndex || ck.Fit != s.desc:
			l.pending = nil
			return fmt.Errorf("learner: resume: the checkpoint was taken in fit %d, %s; fit %d is %s", ck.FitIndex, ck.Fit, idx, s.desc)
		}
		resume, l.pending = ck, nil
	}
	if s.nEpoch < 0 {
		return fmt.Errorf("learner: %s: negative number of epochs", s.desc)
	}
	l.NIter = l.Train.Len()
	if l.NIter <= 0 {
		return fmt.Errorf("learner: %s: the training loader has no batches", s.desc)
	}
	if l.cfg.WD != nil {
		if err := l.Opt.SetHyper(optim.HyperWD, *l.cfg.WD); err != nil {
			return err
		}
	}
	lr := s.lr
	if lr.IsZero() {
		lr = optim.LRValue(l.LR)
	}
	if err := l.Opt.SetLR(lr); err != nil {
		return fmt.Errorf("learner: %s: %w", s.desc, err)
	}

	l.fit, l.NEpoch, l.TrainIter, l.PctTrain = s, s.nEpoch, 0, 0
	defer func() { l.fit = nil }()
	names := []string{"epoch", "train_loss", "valid_loss"}
	for _, m := range l.Metrics {
		names = append(names, m.Name())
	}
	l.Recorder.reset(append(names, "time"))
	start := 0
	if resume != nil {
		start, l.TrainIter, l.PctTrain = resume.Epoch, resume.TrainIter, resume.PctTrain
		l.Recorder.setState(resume.Recorder)
	}
	cbs := append(append([]Callback(nil), s.cbs...), progressCB{})
	if s.nanStop {
		cbs = append(cbs, nonFiniteCB{})
	}
	if s.checkpoint {
		cbs = append(cbs, checkpointCB{})
	}
	cbs = append(cbs, l.cfg.Callbacks...)
	emit := func(e Event) error {
		for _, cb := range cbs {
			if err := cb.Handle(e, l); err != nil {
				return err
			}
		}
		return nil
	}

	var tab table
	err := emit(BeforeFit)
	if err == nil && !s.noLog {
		fmt.Fprintln(l.out, tab.header(l.Recorder.Names))
		for i, v := range l.Recorder.Values { // a resumed fit reprints the epochs done
			fmt.Fprintln(l.out, tab.row(epochRow(i, v, skippedCells(v, s, l), l.Recorder.Times[i])))
		}
	}
	for epoch := start; err == nil && epoch < s.nEpoch; epoch++ {
		l.Epoch = epoch
		err = l.epoch(s, emit, &tab)
	}
	if err != nil && !errors.Is(err, ErrCancelFit) {
		l.Model.Train(false)
		l.progress.end()
		return err
	}
	l.Model.Train(false)
	if err := emit(AfterFit); err != nil && !errors.Is(err, ErrCancelFit) {
		return err
	}
	return nil
}

// epoch runs one epoch: the training batches, validation, the table row.
func (l *Learner) epoch(s *fitSpec, emit func(Event) error, tab *table) error {
	t0 := l.clock()
	if err := emit(BeforeEpoch); err != nil {
		return err
	}
	l.Training, l.Iter = true, 0
	l.Model.Train(true)
	l.PctTrain = float64(l.Epoch) / float64(s.nEpoch)
	if err := emit(BeforeTrain); err != nil {
		return err
	}
	g := autograd.NewGraph(l.pool, autograd.Record)
	g.Training = true
	n := 0
	for b, err := range l.Train.Batches() {
		if err != nil {
			return fmt.Errorf("learner: epoch %d, training batch %d: %w", l.Epoch, n+1, err)
		}
		l.Iter, l.Batch = n, b
		if err := emit(BeforeBatch); err != nil {
			return err
		}
		if err := l.trainBatch(g, b, emit); err != nil {
			return err
		}
		l.PctTrain += 1 / float64(l.NIter*s.nEpoch)
		l.TrainIter++
		l.Recorder.afterTrainBatch(l.BatchLoss, l.Opt)
		if err := emit(AfterBatch); err != nil {
			return err
		}
		n++
	}
	l.Batch = Batch{}
	if n != l.NIter {
		return fmt.Errorf("learner: epoch %d: the training loader yielded %d batches, its Len() is %d", l.Epoch, n, l.NIter)
	}
	if err := emit(AfterTrain); err != nil {
		return err
	}
	row := []float64{float64(l.Recorder.SmoothLoss())}
	if !s.skipValid && l.Valid != nil {
		vals, err := l.validate(emit)
		if err != nil {
			return err
		}
		row = append(row, vals...)
	} else {
		for range 1 + len(l.Metrics) {
			row = append(row, nan())
		}
	}
	elapsed := l.clock().Sub(t0).Seconds()
	l.Recorder.Values = append(l.Recorder.Values, row)
	l.Recorder.Times = append(l.Recorder.Times, elapsed)
	if !s.noLog {
		fmt.Fprintln(l.out, tab.row(epochRow(l.Epoch, row, skippedCells(row, s, l), elapsed)))
	}
	return emit(AfterEpoch)
}

// skippedCells marks the cells of a row without a value (no validation).
func skippedCells(row []float64, s *fitSpec, l *Learner) []bool {
	sk := make([]bool, len(row))
	if s.skipValid || l.Valid == nil {
		for i := 1; i < len(sk); i++ {
			sk[i] = true
		}
	}
	return sk
}

// trainBatch runs forward, loss, backward, the optimiser step and zero_grad on one batch.
func (l *Learner) trainBatch(g *autograd.Graph, b Batch, emit func(Event) error) error {
	defer g.Release()
	pred := l.Model.Forward(g, g.Input(b.X))
	loss := l.LossFn(pred, b.Y)
	l.BatchLoss = loss.Value.Data()[0]
	if err := emit(AfterLoss); err != nil {
		return err
	}
	g.Backward(loss)
	l.Opt.Step()
	l.Opt.ZeroGrad()
	return nil
}

// validate runs the validation batches without gradients and returns valid_loss and the
// metrics.
func (l *Learner) validate(emit func(Event) error) ([]float64, error) {
	l.Training, l.Iter = false, 0
	l.Model.Train(false)
	for _, m := range l.Metrics {
		m.Reset()
	}
	l.Recorder.valid = avgLoss{}
	if err := emit(BeforeValidate); err != nil {
		return nil, err
	}
	g := autograd.NewGraph(l.pool, autograd.NoGrad)
	n := 0
	for b, err := range l.Valid.Batches() {
		if err != nil {
			return nil, fmt.Errorf("learner: epoch %d, validation batch %d: %w", l.Epoch, n+1, err)
		}
		l.Iter, l.Batch = n, b
		if err := emit(BeforeBatch); err != nil {
			return nil, err
		}
		if err := l.validBatch(g, b, emit); err != nil {
			return nil, err
		}
		if err := emit(AfterBatch); err != nil {
			return nil, err
		}
		n++
	}
	l.Batch = Batch{}
	if err := emit(AfterValidate); err != nil {
		return nil, err
	}
	vals := []float64{l.Recorder.valid.value()}
	for _, m := range l.Metrics {
		vals = append(vals, m.Value())
	}
	return vals, nil
}

// validBatch computes one validation batch's loss and metrics.
func (l *Learner) validBatch(g *autograd.Graph, b Batch, emit func(Event) error) error {
	defer g.Release()
	pred := l.Model.Forward(g, g.Input(b.X))
	loss := l.LossFn(pred, b.Y)
	l.BatchLoss = loss.Value.Data()[0]
	if err := emit(AfterLoss); err != nil {
		return err
	}
	l.Recorder.valid.add(l.BatchLoss, b.Y.Dim(0))
	for _, m := range l.Metrics {
		if err := m.Accumulate(pred.Value, b.Y); err != nil {
			return fmt.Errorf("learner: epoch %d, validation batch %d: %w", l.Epoch, l.Iter+1, err)
		}
	}
	return nil
}
