package pth

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// expected is what gen_pth.py dumped from torch.load of a fixture.
type expected struct {
	Entries []struct {
		Name   string      `json:"name"`
		DType  string      `json:"dtype"`
		Shape  []int       `json:"shape"`
		Values []jsonFloat `json:"values"`
	} `json:"entries"`
	Versions [][2]any `json:"versions"`
}

// jsonFloat is a JSON number, or "inf", "-inf", "nan" for non-finite values.
type jsonFloat float64

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	switch string(b) {
	case `"inf"`:
		*f = jsonFloat(math.Inf(1))
	case `"-inf"`:
		*f = jsonFloat(math.Inf(-1))
	case `"nan"`:
		*f = jsonFloat(math.NaN())
	default:
		var v float64
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*f = jsonFloat(v)
	}
	return nil
}

func loadExpected(t *testing.T, name string) expected {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var e expected
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return e
}

// values returns t's elements as float64, whatever field holds them.
func values(t *Tensor) []float64 {
	var out []float64
	for _, v := range t.F32 {
		out = append(out, float64(v))
	}
	out = append(out, t.F64...)
	for _, v := range t.I64 {
		out = append(out, float64(v))
	}
	return out
}

// sameBits compares float64 values exactly, treating NaN as equal to NaN and
// distinguishing -0 from +0.
func sameBits(a, b float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	return math.Float64bits(a) == math.Float64bits(b)
}

// checkAgainst compares a loaded state dict with torch's dump, exactly.
func checkAgainst(t *testing.T, sd *StateDict, e expected) {
	t.Helper()
	if len(sd.Entries) != len(e.Entries) {
		t.Fatalf("%d entries %v, want %d", len(sd.Entries), sd.Names(), len(e.Entries))
	}
	for i, w := range e.Entries {
		g := &sd.Entries[i]
		if g.Name != w.Name || g.DType.String() != w.DType || !slices.Equal(g.Shape, w.Shape) {
			t.Errorf("entry %d: %q %v %v, want %q %s %v", i, g.Name, g.DType, g.Shape, w.Name, w.DType, w.Shape)
			continue
		}
		if err := g.Validate(); err != nil {
			t.Errorf("entry %q: %v", g.Name, err)
		}
		got := values(g)
		if len(got) != len(w.Values) {
			t.Errorf("%q: %d values, want %d", g.Name, len(got), len(w.Values))
			continue
		}
		for j := range got {
			if !sameBits(got[j], float64(w.Values[j])) {
				t.Errorf("%q[%d] = %v, want %v", g.Name, j, got[j], w.Values[j])
				break
			}
		}
	}
}

func TestLoadTorchZip(t *testing.T) {
	sd, err := Load("testdata/mixed.pth")
	if err != nil {
		t.Fatal(err)
	}
	checkAgainst(t, sd, loadExpected(t, "mixed.json"))
	if sd.Versions != nil || sd.Meta != nil || sd.Extra != nil || sd.Other != nil {
		t.Errorf("plain OrderedDict gave Versions %v Meta %v Extra %v Other %v", sd.Versions, sd.Meta, sd.Extra, sd.Other)
	}
}

func TestLoadTorchLegacy(t *testing.T) {
	sd, err := Load("testdata/legacy.pth")
	if err != nil {
		t.Fatal(err)
	}
	checkAgainst(t, sd, loadExpected(t, "mixed.json"))
}

func TestLoadModuleStateDictWithMetadata(t *testing.T) {
	sd, err := Load("testdata/module.pth")
	if err != nil {
		t.Fatal(err)
	}
	e := loadExpected(t, "module.json")
	checkAgainst(t, sd, e)
	if len(sd.Versions) != len(e.Versions) {
		t.Fatalf("versions %v, want %v", sd.Versions, e.Versions)
	}
	for i, v := range e.Versions {
		if sd.Versions[i].Prefix != v[0].(string) || float64(sd.Versions[i].Version) != v[1].(float64) {
			t.Errorf("version %d = %+v, want %v", i, sd.Versions[i], v)
		}
	}
	nbt := sd.Get("1.num_batches_tracked")
	if nbt == nil || nbt.DType != Int64 || len(nbt.Shape) != 0 || !slices.Equal(nbt.I64, []int64{1}) {
		t.Errorf("1.num_batches_tracked = %+v, want int64 scalar 1", nbt)
	}
}

func TestHalfRoundingMatchesTorch(t *testing.T) {
	sd, err := Load("testdata/mixed.pth")
	if err != nil {
		t.Fatal(err)
	}
	src, f16, bf16 := sd.Get("round_src"), sd.Get("round_f16"), sd.Get("round_bf16")
	for i, v := range src.F32 {
		if got, want := halfToFloat32(float32ToHalf(v)), f16.F32[i]; !sameBits(float64(got), float64(want)) {
			t.Errorf("half(%g) = %g, torch %g", v, got, want)
		}
		if got, want := bfloat16ToFloat32(float32ToBFloat16(v)), bf16.F32[i]; !sameBits(float64(got), float64(want)) {
			t.Errorf("bfloat16(%g) = %g, torch %g", v, got, want)
		}
	}
}

func TestHalfRoundTripAllBitPatterns(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := halfToFloat32(uint16(h))
		back := float32ToHalf(f)
		if math.IsNaN(float64(f)) {
			if back&0x7c00 != 0x7c00 || back&0x3ff == 0 {
				t.Fatalf("NaN %#04x came back as %#04x", h, back)
			}
			continue
		}
		if back != uint16(h) {
			t.Fatalf("half %#04x → %g → %#04x", h, f, back)
		}
		b := bfloat16ToFloat32(uint16(h))
		if !math.IsNaN(float64(b)) && float32ToBFloat16(b) != uint16(h) {
			t.Fatalf("bfloat16 %#04x → %g → %#04x", h, b, float32ToBFloat16(b))
		}
	}
}

// TestLoadNestedDict reads a fastai learn.save-style file: nested containers are
// flattened with dotted names, non-tensor leaves land in Other.
func TestLoadNestedDict(t *testing.T) {
	sd, err := Load("testdata/nested.pth")
	if err != nil {
		t.Fatal(err)
	}
	module, err := Load("testdata/module.pth")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, n := range module.Names() {
		want = append(want, "model."+n)
	}
	want = append(want, "opt.state.0.grad_avg")
	if got := sd.Names(); !slices.Equal(got, want) {
		t.Errorf("names %v, want %v", got, want)
	}
	if g := sd.Get("opt.state.0.grad_avg"); g == nil || !slices.Equal(g.F32, []float32{0.5, 0.5, 0.5, 0.5}) {
		t.Errorf("grad_avg = %+v", g)
	}
	other := map[string]any{
		"opt.hypers.0.lr": 0.01, "opt.hypers.0.mom": 0.9, "opt.hypers.0.eps": 1e-05, "opt.hypers.0.name": "adam",
		"opt.state.0.step": int64(3), "opt.state.0.do_wd": true, "opt.state.0.extra": nil,
	}
	if len(sd.Other) != len(other) {
		t.Errorf("Other = %v, want %v", sd.Other, other)
	}
	for k, v := range other {
		if got, ok := sd.Other[k]; !ok || got != v {
			t.Errorf("Other[%q] = %v, want %v", k, got, v)
		}
	}
}
