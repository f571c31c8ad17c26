package nn

import (
	"math"
	"math/rand/v2"

	"github.com/fastgo/fastgo/tensor"
)

// KaimingNormal fills t with N(0, 2/fan) samples — PyTorch's kaiming_normal_ with the
// ReLU gain, for the given fan (fan_in or fan_out).
func KaimingNormal(t *tensor.Tensor, fan int, rng *rand.Rand) {
	std := math.Sqrt(2 / float64(fan))
	for i := range t.Data() {
		t.Data()[i] = float32(rng.NormFloat64() * std)
	}
}

// Uniform fills t with U(−bound, bound) samples.
func Uniform(t *tensor.Tensor, bound float64, rng *rand.Rand) {
	for i := range t.Data() {
		t.Data()[i] = float32((2*rng.Float64() - 1) * bound)
	}
}

// fans returns a weight's fan_in and fan_out as PyTorch computes them: dimension 1 and
// dimension 0, each times the receptive field (the product of the dimensions after 2).
func fans(t *tensor.Tensor) (in, out int) {
	s := t.Shape()
	rf := 1
	for _, d := range s[2:] {
		rf *= d
	}
	return s[1] * rf, s[0] * rf
}

// InitResNet initialises r as torchvision does: convolutions kaiming-normal with fan_out
// (std √(2/fan_out)), batch norms weight 1 and bias 0 with fresh running statistics, the
// classifier with PyTorch's Linear default U(±1/√fan_in) for weight and bias.
func InitResNet(r *ResNet, rng *rand.Rand) {
	Walk(r, "", func(n Named) {
		switch {
		case n.Param != nil && n.Kind == Weight && n.Param.Value.Dims() == 4:
			_, out := fans(n.Param.Value)
			KaimingNormal(n.Param.Value, out, rng)
		case n.Kind == NormParam && n.Name[len(n.Name)-6:] == "weight":
			n.Param.Value.Fill(1)
		case n.Kind == NormParam:
			n.Param.Value.Fill(0)
		case n.Buffer != nil && n.Name[len(n.Name)-11:] == "running_var":
			n.Buffer.Fill(1)
		case n.Buffer != nil:
			n.Buffer.Fill(0)
		case n.Count != nil:
			*n.Count = 0
		}
	})
	in, _ := fans(r.FC.Weight.Value)
	bound := 1 / math.Sqrt(float64(in))
	Uniform(r.FC.Weight.Value, bound, rng)
	if r.FC.Bias != nil {
		Uniform(r.FC.Bias.Value, bound, rng)
	}
}

// ZeroInitResidual sets the weight of the last batch norm of every residual block of r to
// zero (bn2 of a basic block, bn3 of a bottleneck), torchvision's
// resnet34(zero_init_residual=True): each block then starts as the identity, so a network
// trained from scratch starts shallow and its first steps are steadier (Goyal et al.,
// "Accurate, Large Minibatch SGD", 2017, §5.1).
func ZeroInitResidual(r *ResNet) {
	for _, stage := range []*Sequential{r.Layer1, r.Layer2, r.Layer3, r.Layer4} {
		for _, m := range stage.Layers {
			switch b := m.(type) {
			case *BasicBlock:
				b.BN2.Weight.Value.Fill(0)
			case *Bottleneck:
				b.BN3.Weight.Value.Fill(0)
			}
		}
	}
}
