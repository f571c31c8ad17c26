package autograd

import (
	"fmt"
	"math"

	"github.com/fastgo/fastgo/tensor"
)

// Losses on logits.

// softplus returns log(1+e^x) without overflow for any x.
func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

func sigmoid(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}

// BCE is the seed experiment's loss: the mean over all B·C elements of −log σ(x) where the
// target is 1 and −log(1−σ(x)) where it is 0, i.e. of softplus(−x)·t + softplus(x)·(1−t)
// for targets t in [0,1]. It is computed through the log-sigmoid, so it stays finite for
// any finite logit (the seed's literal float32 formula overflows for |x| ≳ 17–88).
// ∂/∂x = (σ(x) − t)/(B·C).
func BCE(logits *Var, target *tensor.Tensor) *Var { return bce("BCE", logits, target) }

// BCEWithLogits is PyTorch's BCEWithLogitsLoss (mean reduction) — fastai's
// BCEWithLogitsLossFlat — mean(max(x,0) − x·t + log(1+e^{−|x|})); mathematically and
// numerically the same function as BCE.
func BCEWithLogits(logits *Var, target *tensor.Tensor) *Var {
	return bce("BCEWithLogits", logits, target)
}

func bce(op string, logits *Var, target *tensor.Tensor) *Var {
	g := graphOf(op, logits)
	if !tensor.SameShape(logits.Value, target) {
		panic(fmt.Sprintf("autograd.%s: logits %v and target %v differ in shape", op, logits.Value.Shape(), target.Shape()))
	}
	x, t := logits.Value.Data(), target.Data()
	var sum float64
	for i, v := range x {
		xv, tv := float64(v), float64(t[i])
		sum += softplus(-xv)*tv + softplus(xv)*(1-tv)
	}
	n := float64(len(x))
	y := g.Alloc(1)
	y.Data()[0] = float32(sum / n)
	return g.newVar(op, y, []*Var{logits}, func(out *Var) {
		s := float64(out.Grad.Data()[0]) / n
		grad, acc := g.gradFor(logits)
		gd := grad.Data()
		for i, v := range x {
			d := float32((sigmoid(float64(v)) - float64(t[i])) * s)
			if acc {
				gd[i] += d
			} else {
				gd[i] = d
			}
		}
	})
}

// CrossEntropy is fastai's CrossEntropyLossFlat (PyTorch's CrossEntropyLoss, mean
// reduction) for single-label classification, with the classes given as one-hot rows
// of target [B, C] (the form the vision loader produces) or, more generally, as class
// probabilities: mean over the B rows of −Σ_c t_c·log_softmax(x)_c. With one-hot rows
// it equals CrossEntropyLoss on the class indices. The log-softmax subtracts each row's
// maximum and is computed in float64, so it is finite for any finite logits.
// ∂/∂x_c = (softmax(x)_c·Σt − t_c)/B.
func CrossEntropy(logits *Var, target *tensor.Tensor) *Var {
	const op = "CrossEntropy"
	g := graphOf(op, logits)
	if !tensor.SameShape(logits.Value, target) || logits.Value.Dims() != 2 {
		panic(fmt.Sprintf("autograd.%s: logits %v and target %v must both be [B, C]", op, logits.Value.Shape(), target.Shape()))
	}
	b, c := logits.Value.Dim(0), logits.Value.Dim(1)
	x, t := logits.Value.Data(), target.Data()
	lse := make([]float64, b) // log Σ exp(x) of each row
	var sum float64
	for i := 0; i < b; i++ {
		row, trow := x[i*c:][:c], t[i*c:][:c]
		m := math.Inf(-1)
		for _, v := range row {
			m = math.Max(m, float64(v))
		}
		var s float64
		for _, v := range row {
			s += math.Exp(float64(v) - m)
		}
		lse[i] = m + math.Log(s)
		for k, tv := range trow {
			if tv != 0 {
				sum -= float64(tv) * (float64(row[k]) - lse[i])
			}
		}
	}
	y := g.Alloc(1)
	y.Data()[0] = float32(sum / float64(b))
	return g.newVar(op, y, []*Var{logits}, func(out *Var) {
		s := float64(out.Grad.Data()[0]) / float64(b)
		grad, acc := g.gradFor(logits)
		gd := grad.Data()
		for i := 0; i < b; i++ {
			row, trow, grow := x[i*c:][:c], t[i*c:][:c], gd[i*c:][:c]
			var ts float64
			for _, tv := range trow {
				ts += float64(tv)
			}
			for k, v := range row {
				d := float32((math.Exp(float64(v)-lse[i])*ts - float64(trow[k])) * s)
				if acc {
					grow[k] += d
				} else {
					grow[k] = d
				}
			}
		}
	})
}
