package nn

import (
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/tensor"
)

// TestZeroInitResidualMakesBlocksIdentities checks torchvision's zero_init_residual on
// both block kinds: the last batch norm of every block starts at weight 0 (the others
// at 1), so a block with an identity shortcut computes ReLU(x) in training mode.
func TestZeroInitResidualMakesBlocksIdentities(t *testing.T) {
	for _, a := range []Arch{{Name: "basic", Blocks: [4]int{2, 1, 1, 1}}, {Name: "bottleneck", Blocks: [4]int{2, 1, 1, 1}, Bottleneck: true}} {
		r := NewResNetArch(a, [4]int{4, 8, 8, 16}, 10)
		rng := rand.New(rand.NewPCG(3, 4))
		InitResNet(r, rng)
		ZeroInitResidual(r)
		last := "bn2.weight"
		if a.Bottleneck {
			last = "bn3.weight"
		}
		zeroed := 0
		for _, n := range Members(r) {
			if n.Param == nil || n.Kind != NormParam {
				continue
			}
			isLast := len(n.Name) > len(last) && n.Name[:5] == "layer" && n.Name[len(n.Name)-len(last):] == last
			for _, v := range n.Param.Value.Data() {
				want := float32(0)
				if !isLast && n.Name[len(n.Name)-6:] == "weight" {
					want = 1
				}
				if v != want {
					t.Fatalf("%s: %s = %v, want %v", a.Name, n.Name, v, want)
				}
			}
			if isLast {
				zeroed++
			}
		}
		if zeroed != 5 {
			t.Errorf("%s: %d blocks' last batch norms zeroed, want 5", a.Name, zeroed)
		}
		// layer1's second block has an identity shortcut: its output is ReLU(input).
		c := 4
		if a.Bottleneck {
			c = 16
		}
		g := autograd.NewGraph(nil, autograd.Record)
		g.Training = true
		x := tensor.RandN(rng, 1, c, 2, 8, 8) // channel-major [C, N, H, W]
		y := r.Layer1.Layers[1].Forward(g, g.Input(x)).Value.Data()
		for i, v := range x.Data() {
			if want := max(v, 0); y[i] != want {
				t.Fatalf("%s: block output [%d] = %v, want ReLU(%v) = %v", a.Name, i, y[i], v, want)
			}
		}
	}
}
