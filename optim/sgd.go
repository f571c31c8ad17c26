package optim

// SGDConfig holds SGD's starting hyper-parameters.
type SGDConfig struct {
	LR  float64 // learning rate
	Mom float64 // momentum; 0 for plain SGD
	WD  float64 // decoupled weight decay
}

// NewSGD returns fastai's SGD over groups. For each visited parameter p with gradient g:
//
//	if decay && wd != 0: p ← p·(1 − lr·wd)
//	with momentum (mom != 0 at construction): m ← mom·m + g (m starts at 0); p ← p − lr·m
//	otherwise:                                 p ← p − lr·g
//
// With wd = 0 this is torch.optim.SGD(momentum=mom, dampening=0, nesterov=False).
func NewSGD(groups [][]*Param, c SGDConfig) (*Optimizer, error) {
	if err := checkMom("SGD mom", c.Mom); err != nil {
		return nil, err
	}
	return New(groups, sgd{momentum: c.Mom != 0}, Hyper{LR: c.LR, Mom: c.Mom, WD: c.WD})
}

// sgd chooses momentum or plain steps once, at construction, as fastai's SGD picks its
// stepper callbacks: a schedule that later sets mom on a plain SGD changes nothing, and
// one that sets mom 0 on a momentum SGD freezes the buffer's contribution at mom·m = 0.
type sgd struct{ momentum bool }

// Name implements Rule.
func (sgd) Name() string { return "SGD" }

func (r sgd) step(p, g []float32, h *Hyper, decay bool, st *paramState) {
	if decay && h.WD != 0 {
		scaleSlice(p, float32(1-h.LR*h.WD))
	}
	lr := float32(-h.LR)
	g = g[:len(p)]
	if !r.momentum {
		for i, gi := range g {
			p[i] += float32(lr * gi)
		}
		return
	}
	if st.gradAvg == nil {
		st.gradAvg = make([]float32, len(p))
	}
	mom := float32(h.Mom)
	m := st.gradAvg[:len(p)]
	for i, gi := range g {
		mi := float32(m[i]*mom) + gi
		m[i] = mi
		p[i] += float32(lr * mi)
	}
}
