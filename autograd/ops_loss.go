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
