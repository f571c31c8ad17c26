package optim

import (
	"fmt"

	"github.com/fastgo/fastgo/autograd"
)

// Param is one trainable tensor as the optimiser sees it.
type Param struct {
	// Name identifies the parameter in exported optimiser state (for example a state-dict
	// key such as "0.4.0.conv1.weight"); names must be unique within an optimiser.
	Name string
	// Var holds the value the optimiser updates and the gradient it reads.
	Var *autograd.Var
	// NoDecay turns weight decay off for this parameter: fastai's wd_bn_bias=False gives
	// it to every normalisation-layer weight and bias and every bias.
	NoDecay bool
	// ForceTrain keeps the parameter trainable when its group is frozen: fastai's
	// train_bn=True gives it to every normalisation-layer weight and bias.
	ForceTrain bool
}

// Hyper is one parameter group's hyper-parameters. Mom is Adam's β1 (or SGD's momentum),
// SqrMom Adam's β2; an optimiser ignores those it does not use.
type Hyper struct {
	LR, Mom, SqrMom, Eps, WD float64
}

// HyperName names one field of Hyper, as fastai's set_hyper names them.
type HyperName string

// The hyper-parameter names.
const (
	HyperLR     HyperName = "lr"
	HyperMom    HyperName = "mom"
	HyperSqrMom HyperName = "sqr_mom"
	HyperEps    HyperName = "eps"
	HyperWD     HyperName = "wd"
)

// hyperNames lists the names in export order.
var hyperNames = []HyperName{HyperLR, HyperMom, HyperSqrMom, HyperEps, HyperWD}

// field returns a pointer to the named field of h.
func (h *Hyper) field(n HyperName) (*float64, error) {
	switch n {
	case HyperLR:
		return &h.LR, nil
	case HyperMom:
		return &h.Mom, nil
	case HyperSqrMom:
		return &h.SqrMom, nil
	case HyperEps:
		return &h.Eps, nil
	case HyperWD:
		return &h.WD, nil
	}
	return nil, fmt.Errorf("optim: unknown hyper-parameter %q (want lr, mom, sqr_mom, eps or wd)", n)
}

// Get returns the named hyper-parameter.
func (h Hyper) Get(n HyperName) (float64, error) {
	p, err := h.field(n)
	if err != nil {
		return 0, err
	}
	return *p, nil
}

// Group is a list of parameters sharing hyper-parameters (one of fastai's layer groups).
type Group struct {
	Params []*Param
	Hyper  Hyper
}

// paramState is the optimiser's per-parameter state (fastai's state dict entries).
type paramState struct {
	gradAvg []float32 // m: Adam's first moment or SGD's momentum buffer; nil until needed
	sqrAvg  []float32 // v: Adam's second moment; nil until needed
	step    int       // t: steps taken (Adam)
}
