package optim

import (
	"fmt"
	"testing"
)

// resnet34Keys lists the trainable parameters of fastai's ResNet34 + head by state-dict
// key with their element counts (SPEC §2 and §10.2).
func resnet34Keys() (names []string, sizes []int) {
	add := func(name string, n int) { names, sizes = append(names, name), append(sizes, n) }
	bn := func(prefix string, c int) { add(prefix+".weight", c); add(prefix+".bias", c) }
	add("0.0.weight", 64*3*7*7)
	bn("0.1", 64)
	in := 64
	for li, spec := range []struct{ blocks, c int }{{3, 64}, {4, 128}, {6, 256}, {3, 512}} {
		for b := 0; b < spec.blocks; b++ {
			p := fmt.Sprintf("0.%d.%d", li+4, b)
			cin := spec.c
			if b == 0 {
				cin = in
			}
			add(p+".conv1.weight", spec.c*cin*9)
			bn(p+".bn1", spec.c)
			add(p+".conv2.weight", spec.c*spec.c*9)
			bn(p+".bn2", spec.c)
			if b == 0 && cin != spec.c {
				add(p+".downsample.0.weight", spec.c*cin)
				bn(p+".downsample.1", spec.c)
			}
		}
		in = spec.c
	}
	bn("1.2", 1024)
	add("1.4.weight", 512*1024)
	bn("1.6", 512)
	add("1.8.weight", 20*512)
	return names, sizes
}

func TestResNetSplitMatchesSpecGroupSizes(t *testing.T) {
	names, sizes := resnet34Keys()
	var total int
	counts := make([]int, 3)
	for i, n := range names {
		g := groupOf(n, ResNetPrefixes)
		if g < 0 {
			t.Fatalf("%s in no group", n)
		}
		counts[g] += sizes[i]
		total += sizes[i]
	}
	// SPEC §2: g0 1,347,904, g1 19,936,768, head 537,600 parameters.
	if want := []int{1347904, 19936768, 537600}; counts[0] != want[0] || counts[1] != want[1] || counts[2] != want[2] {
		t.Errorf("group sizes %v, SPEC %v", counts, want)
	}
	// 21,797,672 in torchvision's ResNet34 minus fc (513,000) plus the head.
	if total != 21797672-513000+537600 {
		t.Errorf("total %d", total)
	}
}

func TestSplitByPrefix(t *testing.T) {
	ps := []*Param{{Name: "1.8.weight"}, {Name: "0.0.weight"}, {Name: "0.7.2.bn2.bias"}, {Name: "0.4.0.conv1.weight"}}
	gs, err := ResNetSplit(ps)
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprintf("%d %s %s %d %s %d %s", len(gs[0]), gs[0][0].Name, gs[0][1].Name, len(gs[1]), gs[1][0].Name, len(gs[2]), gs[2][0].Name)
	if got != "2 0.0.weight 0.4.0.conv1.weight 1 0.7.2.bn2.bias 1 1.8.weight" {
		t.Errorf("split %s", got)
	}
	if _, err := ResNetSplit([]*Param{{Name: "fc.weight"}}); err == nil {
		t.Error("a parameter outside every group was accepted")
	}
}
