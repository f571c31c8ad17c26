package serve

import (
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// request is one prediction request's share of the batcher's work.
type request struct {
	probs     [][]float32 // per image, set by the batcher
	remaining atomic.Int32
	canceled  atomic.Bool // the handler has left: drop its queued images
	err       error       // set before done is closed
	once      sync.Once
	done      chan struct{}
}

func (r *request) finish(err error) {
	r.once.Do(func() {
		r.err = err
		close(r.done)
	})
}

// item is one queued image.
type item struct {
	req   *request
	idx   int
	x     []float32 // prepared image (CHW), owned by the batcher once queued
	model *loaded
}

// batcher runs forward passes until Close: it takes the queue's first image, waits for
// more while requests are still being prepared (none are: no wait) and the batch is not
// full, then runs the batch. The wait lasts at most MaxWait, or a tenth of a full
// batch's forward pass (estimated from the last pass's time per image) when that is
// longer: when a pass takes seconds (ResNet34 on a few cores), a batch cut short by a
// few milliseconds of decoding would cost far more than the wait. (Estimating from the
// last pass's own time would spiral down: a small batch is quick, so the next wait is
// shorter and the next batch smaller.)
func (s *Server) batcher() {
	defer close(s.done)
	var x, probs []float32
	var perImage time.Duration
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		if s.queueDepth() == 0 {
			select {
			case <-s.wake:
				continue
			case <-s.stop:
				return
			}
		}
		deadline := time.Now().Add(max(s.cfg.MaxWait, perImage*time.Duration(s.cfg.MaxBatch)/10))
		for s.queueDepth() < s.cfg.MaxBatch && s.preparing.Load() > 0 {
			d := time.Until(deadline)
			if d <= 0 {
				break
			}
			timer.Reset(d)
			select {
			case <-s.wake:
			case <-timer.C:
			}
			timer.Stop()
		}
		if batch := s.take(); len(batch) > 0 {
			t0 := time.Now()
			s.run(batch, &x, &probs)
			perImage = time.Since(t0) / time.Duration(len(batch))
		}
	}
}

// take removes from the queue up to MaxBatch live images of the model of the first
// one (images of an older or newer model stay queued, in order) and drops the images
// of requests that have ended.
func (s *Server) take() []*item {
	s.mu.Lock()
	defer s.mu.Unlock()
	var batch []*item
	var head *loaded
	old := s.queue
	keep := old[:0]
	for _, it := range old {
		switch {
		case it.req.canceled.Load():
			s.metrics.canceled.Inc()
			s.putBuf(it.x)
		case len(batch) < s.cfg.MaxBatch && (head == nil || it.model == head):
			head = it.model
			batch = append(batch, it)
		default:
			keep = append(keep, it)
			continue
		}
		s.queued--
	}
	clear(old[len(keep):])
	s.queue = keep
	return batch
}

// run assembles the batch (C×N×H×W), runs it and hands each request its images'
// probabilities, or the error to all of them.
func (s *Server) run(batch []*item, xb, pb *[]float32) {
	m := batch[0].model.m
	n, L, c := len(batch), m.InputLen(), len(m.Classes())
	if cap(*xb) < n*L {
		*xb = make([]float32, s.cfg.MaxBatch*L)
	}
	if cap(*pb) < n*c {
		*pb = make([]float32, s.cfg.MaxBatch*c)
	}
	x, probs := (*xb)[:n*L], (*pb)[:n*c]
	sz := L / 3
	for i, it := range batch {
		for ch := range 3 {
			copy(x[(ch*n+i)*sz:][:sz], it.x[ch*sz:][:sz])
		}
		s.putBuf(it.x)
		it.x = nil
	}
	if !s.cfg.Overlap {
		s.cpu.Lock()
	}
	t0 := time.Now()
	err := s.forward(m, x, n, probs)
	dt := time.Since(t0)
	if !s.cfg.Overlap {
		s.cpu.Unlock()
	}
	s.forwardNs.Add(int64(dt))
	s.metrics.forward.Observe(dt.Seconds())
	s.metrics.batchSize.Observe(float64(n))
	if err == nil {
		s.batches.Add(1)
		s.images.Add(int64(n))
		s.metrics.images.Add(float64(n))
		s.metrics.rate.add(time.Now(), n)
	}
	for i, it := range batch {
		if err != nil {
			it.req.finish(err)
			continue
		}
		it.req.probs[it.idx] = slices.Clone(probs[i*c:][:c])
		if it.req.remaining.Add(-1) == 0 {
			it.req.finish(nil)
		}
	}
}

// forward runs the model, turning a panic into an error (logged with its stack).
func (s *Server) forward(m Model, x []float32, n int, probs []float32) (err error) {
	defer func() {
		if v := recover(); v != nil {
			s.metrics.panics.Inc()
			s.log.Error("panic in forward pass", "images", n, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			err = errors.New("the forward pass failed")
		}
	}()
	return m.Forward(x, n, probs)
}
