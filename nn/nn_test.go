package nn

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/tensor"
)

func TestResNet34ParameterCountsAndNames(t *testing.T) {
	r := NewResNet34(1000)
	if got := NumParams(r); got != 21797672 {
		t.Fatalf("resnet34 has %d parameters, torchvision's has 21797672", got)
	}
	names := map[string][]int{}
	for _, n := range Members(r) {
		var shape []int
		switch {
		case n.Param != nil:
			shape = n.Param.Value.Shape()
		case n.Buffer != nil:
			shape = n.Buffer.Shape()
		}
		names[n.Name] = shape
	}
	for name, shape := range map[string][]int{
		"conv1.weight": {64, 3, 7, 7}, "bn1.running_mean": {64}, "bn1.num_batches_tracked": nil,
		"layer1.0.conv1.weight": {64, 64, 3, 3}, "layer2.0.conv1.weight": {128, 64, 3, 3},
		"layer2.0.downsample.0.weight": {128, 64, 1, 1}, "layer2.0.downsample.1.running_var": {128},
		"layer3.5.bn2.bias": {256}, "layer4.2.conv2.weight": {512, 512, 3, 3}, "fc.weight": {1000, 512}, "fc.bias": {1000},
	} {
		got, ok := names[name]
		if !ok || !tensor.ShapeEqual(got, shape) {
			t.Errorf("%s: shape %v (present %v), want %v", name, got, ok, shape)
		}
	}
	// torchvision's resnet34 state dict has 218 entries (110 params + 108 buffers).
	if len(names) != 218 {
		t.Errorf("%d state-dict entries, want 218", len(names))
	}
	if _, ok := names["layer1.0.downsample.0.weight"]; ok {
		t.Error("layer1.0 must not have a downsample")
	}
}

func TestCNNGroupsMatchFastaiSplitter(t *testing.T) {
	c := NewResNet34CNN(20, 1)
	want := []int{1347904, 19936768, 537600} // SPEC §2
	for i, grp := range c.Groups() {
		n := 0
		for _, p := range grp {
			n += p.Param.Value.Len()
		}
		if n != want[i] {
			t.Errorf("group %d has %d parameters, want %d", i, n, want[i])
		}
	}
	sd := StateDict(c)
	for _, k := range []string{"0.0.weight", "0.1.running_mean", "0.4.0.conv1.weight", "0.7.2.bn2.weight",
		"1.2.weight", "1.2.bias", "1.4.weight", "1.6.running_var", "1.8.weight"} {
		if sd.Get(k) == nil {
			t.Errorf("missing state-dict key %s", k)
		}
	}
	if b := sd.Get("1.2.bias"); b == nil || b.F32[0] != 1e-3 {
		t.Errorf("head batch-norm bias must start at 1e-3")
	}
	if w := sd.Get("1.8.weight"); w == nil || len(w.Shape) != 2 || w.Shape[0] != 20 || w.Shape[1] != 512 {
		t.Errorf("classifier weight %v", w)
	}
}

func TestSmallCNNForwardBackwardShapes(t *testing.T) {
	arch := NewResNet([4]int{1, 1, 1, 1}, [4]int{4, 8, 8, 16}, 10)
	rng := rand.New(rand.NewPCG(1, 2))
	InitResNet(arch, rng)
	c := NewCNN(arch, 5, rng, 3)
	g := autograd.NewGraph(nil, autograd.Record)
	g.Training = true
	x := g.Input(tensor.RandN(rng, 1, 3, 2, 32, 32))
	y := c.Forward(g, x)
	if !tensor.ShapeEqual(y.Shape(), []int{2, 5}) {
		t.Fatalf("logits shape %v", y.Shape())
	}
	g.Backward(autograd.BCE(y, tensor.Full(1, 2, 5)))
	for _, p := range Parameters(c) {
		if p.Param.Grad == nil {
			t.Errorf("%s got no gradient", p.Name)
		}
	}
	if c.Body.Layers[1].(*BatchNorm).State.NumBatchesTracked != 1 {
		t.Error("num_batches_tracked not counted in training")
	}
}

func TestLoadStateDictReportsEveryProblem(t *testing.T) {
	a := NewResNet([4]int{1, 1, 1, 1}, [4]int{4, 8, 8, 16}, 10)
	sd := StateDict(a)
	// Round trip into a fresh model.
	b := NewResNet([4]int{1, 1, 1, 1}, [4]int{4, 8, 8, 16}, 10)
	rng := rand.New(rand.NewPCG(9, 9))
	InitResNet(a, rng)
	sd = StateDict(a)
	if err := LoadStateDict(b, sd, LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	if b.Conv1.Weight.Value.At(0, 0, 0, 0) != a.Conv1.Weight.Value.At(0, 0, 0, 0) {
		t.Fatal("weights not loaded")
	}
	// Break it three ways.
	sd.Entries = sd.Entries[1:] // drop conv1.weight
	sd.Entries[0].Name = "bogus.weight"
	for i := range sd.Entries {
		if sd.Entries[i].Name == "fc.weight" {
			sd.Entries[i].Shape = []int{5, 16}
		}
	}
	err := LoadStateDict(b, sd, LoadOptions{})
	if err == nil {
		t.Fatal("a broken state dict loaded")
	}
	for _, want := range []string{"missing keys", "conv1.weight", "unexpected keys", "bogus.weight", "shape mismatches", "fc.weight"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
}

// TestCNNLoadStateDictAllOrNothing checks that a state that does not fit changes
// nothing, even the members it has right, and that the error names every problem.
func TestCNNLoadStateDictAllOrNothing(t *testing.T) {
	a, b := NewResNet34CNN(3, 7), NewResNet34CNN(3, 8)
	var names []string
	Walk(b, "", func(n Named) {
		if n.Param != nil {
			names = append(names, n.Name)
		}
	})
	first, last := names[0], names[len(names)-1]
	sd := map[string]*tensor.Tensor{}
	for name, v := range a.StateDict() {
		sd[name] = tensor.FromData(append([]float32(nil), v.Data()...), v.Shape()...)
	}
	delete(sd, names[1])
	sd[last] = tensor.New(append([]int{1}, sd[last].Shape()...)...)
	before := append([]float32(nil), b.StateDict()[first].Data()...)
	err := b.LoadStateDict(sd)
	if err == nil {
		t.Fatal("a broken state loaded")
	}
	for _, want := range []string{"missing " + names[1], last + ": shape"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not mention %q:\n%v", want, err)
		}
	}
	for i, v := range b.StateDict()[first].Data() {
		if v != before[i] {
			t.Fatalf("%s changed by a failed load", first)
		}
	}
}

func TestCNNStateRoundTripAndRandomState(t *testing.T) {
	a := NewResNet34CNN(3, 7)
	b := NewResNet34CNN(3, 8)
	if err := b.LoadStateDict(a.StateDict()); err != nil {
		t.Fatal(err)
	}
	if b.Head.Layers[8].(*Linear).Weight.Value.At(1, 2) != a.Head.Layers[8].(*Linear).Weight.Value.At(1, 2) {
		t.Fatal("state not copied")
	}
	st, err := a.RandomState()
	if err != nil {
		t.Fatal(err)
	}
	u1 := a.dropouts()[0].rng.Uint64()
	if err := a.SetRandomState(st); err != nil {
		t.Fatal(err)
	}
	if u2 := a.dropouts()[0].rng.Uint64(); u1 != u2 {
		t.Fatal("dropout stream not restored")
	}
	if err := a.SetRandomState(st[:5]); err == nil {
		t.Fatal("truncated random state accepted")
	}
}
