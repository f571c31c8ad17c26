package learner

import (
	"fmt"
	"iter"
	"math/rand/v2"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/optim"
	"github.com/fastgo/fastgo/tensor"
)

// toyModel is a 3-layer MLP on flattened [3, B, S, S] inputs, split like ResNet34 into
// three groups: g0 = {w1, s1 (a BatchNorm-like scale: NoDecay, ForceTrain)}, g1 = {w2},
// g2 = {w3, b3 (a bias: NoDecay)}.
type toyModel struct {
	w1, s1, w2, w3, b3 *optim.Param
	training           bool
	in                 int
}

func newToyModel(seed uint64, in, hidden, out int) *toyModel {
	rng := rand.New(rand.NewPCG(seed, 7))
	p := func(name string, std float32, shape ...int) *optim.Param {
		return &optim.Param{Name: name, Var: autograd.NewParam(tensor.RandN(rng, std, shape...))}
	}
	m := &toyModel{in: in,
		w1: p("0.w1", 0.5, in, hidden), s1: p("0.s1", 0, 1, hidden),
		w2: p("1.w2", 0.3, hidden, hidden), w3: p("2.w3", 0.3, hidden, out), b3: p("2.b3", 0, 1, out)}
	m.s1.Var.Value.Fill(1)
	m.s1.NoDecay, m.s1.ForceTrain = true, true
	m.b3.NoDecay = true
	return m
}

func (m *toyModel) all() []*optim.Param { return []*optim.Param{m.w1, m.s1, m.w2, m.w3, m.b3} }

// broadcastRows returns p ([1, n]) repeated over b rows, through MatMul so gradients flow.
func broadcastRows(g *autograd.Graph, p *autograd.Var, b int) *autograd.Var {
	return autograd.MatMul(g.Input(tensor.Full(1, b, 1)), p)
}

func (m *toyModel) Forward(g *autograd.Graph, x *autograd.Var) *autograd.Var {
	sh := x.Value.Shape() // [3, B, S, S] channel-major
	b := sh[1]
	flat := tensor.Permute(x.Value, 1, 0, 2, 3).Reshape(b, m.in)
	h := autograd.MatMul(g.Input(flat), m.w1.Var)
	h = autograd.ReLU(autograd.Mul(h, broadcastRows(g, m.s1.Var, b)))
	h = autograd.ReLU(autograd.MatMul(h, m.w2.Var))
	return autograd.Add(autograd.MatMul(h, m.w3.Var), broadcastRows(g, m.b3.Var, b))
}

func (m *toyModel) Train(on bool) { m.training = on }

func (m *toyModel) ParamGroups() [][]*optim.Param {
	return [][]*optim.Param{{m.w1, m.s1}, {m.w2}, {m.w3, m.b3}}
}

func (m *toyModel) StateDict() map[string]*tensor.Tensor {
	sd := map[string]*tensor.Tensor{}
	for _, p := range m.all() {
		sd[p.Name] = p.Var.Value
	}
	return sd
}

func (m *toyModel) LoadStateDict(sd map[string]*tensor.Tensor) error {
	for _, p := range m.all() {
		t, ok := sd[p.Name]
		if !ok || t.Len() != p.Var.Value.Len() {
			return fmt.Errorf("toy: state dict lacks %s or has the wrong size", p.Name)
		}
		p.Var.Value.CopyFrom(t.Reshape(p.Var.Value.Shape()...))
	}
	return nil
}

// toyData is a multi-label data set: x ~ N(0,1) of shape [3, S, S] per item, label c is on
// when x·u_c > 0.3 for fixed random directions u_c.
type toyData struct {
	x    [][]float32 // per item, [3·S·S] channel-major
	y    [][]float32 // per item, [C]
	s, c int
}

func newToyData(seed uint64, n, s, c int) *toyData {
	rng := rand.New(rand.NewPCG(seed, 11))
	f := 3 * s * s
	u := make([][]float64, c)
	for j := range u {
		u[j] = make([]float64, f)
		for k := range u[j] {
			u[j][k] = rng.NormFloat64() / 3
		}
	}
	d := &toyData{s: s, c: c}
	for i := 0; i < n; i++ {
		x := make([]float32, f)
		y := make([]float32, c)
		for k := range x {
			x[k] = float32(rng.NormFloat64())
		}
		for j := range y {
			var dot float64
			for k := range x {
				dot += float64(x[k]) * u[j][k]
			}
			if dot > 0.3 {
				y[j] = 1
			}
		}
		d.x, d.y = append(d.x, x), append(d.y, y)
	}
	return d
}

// toyLoader batches a toyData like fastai's DataLoader: the training loader shuffles every
// pass and drops the last partial batch; the validation loader keeps order and the
// partial batch. Its shuffling generator's state can be saved (RandomState).
type toyLoader struct {
	d        *toyData
	bs       int
	shuffle  bool
	pcg      *rand.PCG
	rng      *rand.Rand
	released int // batches handed back by the consumer
}

func newToyLoader(d *toyData, bs int, train bool, seed uint64) *toyLoader {
	l := &toyLoader{d: d, bs: bs, shuffle: train}
	l.pcg = rand.NewPCG(seed, 13)
	l.rng = rand.New(l.pcg)
	return l
}

func (l *toyLoader) Len() int {
	if l.shuffle {
		return len(l.d.x) / l.bs
	}
	return (len(l.d.x) + l.bs - 1) / l.bs
}

func (l *toyLoader) Batches() iter.Seq2[Batch, error] {
	return func(yield func(Batch, error) bool) {
		idx := make([]int, len(l.d.x))
		for i := range idx {
			idx[i] = i
		}
		if l.shuffle {
			l.rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		}
		s, c := l.d.s, l.d.c
		for b := 0; b < l.Len(); b++ {
			items := idx[b*l.bs : min((b+1)*l.bs, len(idx))]
			n := len(items)
			x := tensor.New(3, n, s, s)
			y := tensor.New(n, c)
			for k, it := range items {
				for ch := 0; ch < 3; ch++ {
					copy(x.Data()[(ch*n+k)*s*s:(ch*n+k+1)*s*s], l.d.x[it][ch*s*s:(ch+1)*s*s])
				}
				copy(y.Data()[k*c:(k+1)*c], l.d.y[it])
			}
			ok := yield(Batch{X: x, Y: y}, nil)
			l.released++
			if !ok {
				return
			}
		}
	}
}

func (l *toyLoader) RandomState() ([]byte, error) { return l.pcg.MarshalBinary() }

func (l *toyLoader) SetRandomState(b []byte) error { return l.pcg.UnmarshalBinary(b) }
