package pth

import (
	"slices"
	"testing"
)

// TestLoadParityStateDict reads the model-level parity fixture (nn/testdata/small,
// written by torch.save) and checks its fastai ResNet34 layout: 228 entries, the
// 1/8-width shapes and the int64 num_batches_tracked scalars.
func TestLoadParityStateDict(t *testing.T) {
	sd, err := Load("../testdata/small/state_dict.pth")
	if err != nil {
		t.Fatal(err)
	}
	if len(sd.Entries) != 228 {
		t.Fatalf("%d entries, want 228", len(sd.Entries))
	}
	shapes := map[string][]int{
		"0.0.weight":                    {8, 3, 7, 7},
		"0.4.0.conv1.weight":            {8, 8, 3, 3},
		"0.5.0.conv1.weight":            {16, 8, 3, 3},
		"0.5.0.downsample.0.weight":     {16, 8, 1, 1},
		"0.7.2.conv2.weight":            {64, 64, 3, 3},
		"0.7.2.bn2.running_var":         {64},
		"1.2.weight":                    {128},
		"1.4.weight":                    {512, 128},
		"1.6.running_mean":              {512},
		"1.8.weight":                    {20, 512},
		"0.6.5.bn1.num_batches_tracked": {},
	}
	for name, shape := range shapes {
		e := sd.Get(name)
		if e == nil {
			t.Errorf("missing %s", name)
			continue
		}
		if !slices.Equal(e.Shape, shape) {
			t.Errorf("%s shape %v, want %v", name, e.Shape, shape)
		}
	}
	if nbt := sd.Get("1.6.num_batches_tracked"); nbt.DType != Int64 || !slices.Equal(nbt.I64, []int64{5}) {
		t.Errorf("1.6.num_batches_tracked = %v %v, want int64 5", nbt.DType, nbt.I64)
	}
	if len(sd.Versions) == 0 {
		t.Error("no _metadata module versions")
	}
}
