package pth

import (
	"bytes"
	"encoding/json"
	"flag"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/written_by_go.{pth,json}")

// goldenStateDict is the state dict of testdata/written_by_go.pth: every dtype, a
// 0-dim scalar, an empty tensor, module versions, Meta and an Extra group.
func goldenStateDict() *StateDict {
	f32 := make([]float32, 2*3*2*2)
	for i := range f32 {
		f32[i] = float32(math.Sin(0.7*float64(i))) * 0.5
	}
	sd := &StateDict{
		Entries: []Tensor{
			NewF32("0.0.weight", []int{2, 3, 2, 2}, f32),
			NewF32("0.1.weight", []int{2}, []float32{1, -2.5}),
			NewF32("0.1.running_var", []int{2}, []float32{float32(math.Inf(1)), 1e-30}),
			NewI64("0.1.num_batches_tracked", nil, []int64{12345678901}),
			{Name: "f64", Shape: []int{3}, DType: Float64, F64: []float64{math.Pi, -1e300, 5e-324}},
			{Name: "f16", Shape: []int{2}, DType: Float16, F32: []float32{0.099975586, -65504}},
			{Name: "bf16", Shape: []int{1, 2}, DType: BFloat16, F32: []float32{3.140625, -0.5}},
			{Name: "i32", Shape: []int{2}, DType: Int32, I64: []int64{-1 << 31, 1<<31 - 1}},
			{Name: "i16", Shape: []int{1}, DType: Int16, I64: []int64{-32768}},
			{Name: "i8", Shape: []int{2}, DType: Int8, I64: []int64{-128, 127}},
			{Name: "u8", Shape: []int{2}, DType: Uint8, I64: []int64{0, 255}},
			{Name: "bool", Shape: []int{2}, DType: Bool, I64: []int64{1, 0}},
			NewF32("empty", []int{0, 3}, []float32{}),
			NewF32("scalar", nil, []float32{-7.25}),
		},
		Versions: []ModuleVersion{{"", 1}, {"0", 1}, {"0.1", 2}},
		Meta:     map[string]string{"epoch": "3", "phase": "fit_one_cycle", "hypers": `{"lr":[0.001,0.01]}`},
		Extra: map[string][]Tensor{
			"opt": {NewF32("0.0.weight.exp_avg", []int{2, 2}, []float32{1, 2, 3, 4}), NewI64("step", nil, []int64{9})},
		},
	}
	return sd
}

// dumpJSON renders sd's entries like gen_pth.py's dump (for check_torch_load.py).
func dumpJSON(sd *StateDict) []byte {
	type entry struct {
		Name   string `json:"name"`
		DType  string `json:"dtype"`
		Shape  []int  `json:"shape"`
		Values []any  `json:"values"`
	}
	var out struct {
		Entries  []entry  `json:"entries"`
		Versions [][2]any `json:"versions"`
	}
	out.Entries = []entry{}
	for i := range sd.Entries {
		t := &sd.Entries[i]
		e := entry{Name: t.Name, DType: t.DType.String(), Shape: append([]int{}, t.Shape...), Values: []any{}}
		for _, v := range values(t) {
			switch {
			case math.IsInf(v, 1):
				e.Values = append(e.Values, "inf")
			case math.IsInf(v, -1):
				e.Values = append(e.Values, "-inf")
			case math.IsNaN(v):
				e.Values = append(e.Values, "nan")
			default:
				e.Values = append(e.Values, v)
			}
		}
		out.Entries = append(out.Entries, e)
	}
	for _, v := range sd.Versions {
		out.Versions = append(out.Versions, [2]any{v.Prefix, v.Version})
	}
	b, _ := json.Marshal(out)
	return b
}

func TestRoundTrip(t *testing.T) {
	want := goldenStateDict()
	path := filepath.Join(t.TempDir(), "model.pth")
	if err := Save(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Entries, want.Entries) {
		t.Errorf("entries differ after a round trip:\n got %+v\nwant %+v", got.Entries, want.Entries)
	}
	if !reflect.DeepEqual(got.Versions, want.Versions) || !reflect.DeepEqual(got.Meta, want.Meta) || !reflect.DeepEqual(got.Extra, want.Extra) {
		t.Errorf("extras differ: versions %v meta %v extra %v", got.Versions, got.Meta, got.Extra)
	}
	if got.Other != nil {
		t.Errorf("Other = %v, want nil", got.Other)
	}
	// No temporary file is left behind, and the archive folder is named after the file.
	ents, _ := os.ReadDir(filepath.Dir(path))
	if len(ents) != 1 {
		t.Errorf("folder holds %d files after Save, want 1", len(ents))
	}
	b, _ := os.ReadFile(path)
	if !bytes.Contains(b, []byte("model/data.pkl")) {
		t.Errorf("archive folder is not named after the file")
	}
}

// TestRecordsAligned checks that every record's data starts at a multiple of 64, as in
// files torch writes.
func TestRecordsAligned(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, goldenStateDict()); err != nil {
		t.Fatal(err)
	}
	zr, err := zipReader(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		off, err := f.DataOffset()
		if err != nil {
			t.Fatal(err)
		}
		if off%64 != 0 {
			t.Errorf("%s data at offset %d", f.Name, off)
		}
		if !strings.HasPrefix(f.Name, "archive/") {
			t.Errorf("record %s outside the archive folder", f.Name)
		}
	}
}

// TestGoldenFile pins the bytes Write produces: testdata/written_by_go.pth is the file
// that was checked once with torch (check_torch_load.py), so any change to the output
// must be re-checked with torch and re-recorded with -update.
func TestGoldenFile(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, goldenStateDict()); err != nil {
		t.Fatal(err)
	}
	pthPath, jsonPath := "testdata/written_by_go.pth", "testdata/written_by_go.json"
	if *update {
		if err := os.WriteFile(pthPath, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(jsonPath, dumpJSON(goldenStateDict()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(pthPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("Write output (%d bytes) differs from %s (%d bytes): re-check with torch and run go test -update", buf.Len(), pthPath, len(want))
	}
	wantJSON, err := os.ReadFile(jsonPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(dumpJSON(goldenStateDict()), wantJSON) {
		t.Fatalf("%s is stale: run go test -update", jsonPath)
	}
}

func TestWriteRejectsBadEntries(t *testing.T) {
	cases := []struct {
		name string
		sd   *StateDict
		want string
	}{
		{"nil", nil, "nil state dict"},
		{"count", &StateDict{Entries: []Tensor{NewF32("w", []int{2, 2}, []float32{1})}}, `tensor "w": dtype float32 shape [2 2] needs 4 values in F32`},
		{"field", &StateDict{Entries: []Tensor{{Name: "w", Shape: []int{1}, DType: Int64, F32: []float32{1}}}}, `needs 1 values in I64`},
		{"dtype", &StateDict{Entries: []Tensor{{Name: "w"}}}, `invalid dtype`},
		{"dup", &StateDict{Entries: []Tensor{NewF32("w", nil, []float32{1}), NewF32("w", nil, []float32{2})}}, `duplicate entry name "w"`},
		{"range", &StateDict{Entries: []Tensor{{Name: "b", Shape: []int{1}, DType: Uint8, I64: []int64{256}}}}, `value 256 at 0 does not fit uint8`},
		{"group", &StateDict{Extra: map[string][]Tensor{"a/b": nil}}, `extra group name "a/b"`},
		{"negative", &StateDict{Entries: []Tensor{NewF32("w", []int{-1}, nil)}}, `bad shape [-1]`},
	}
	for _, c := range cases {
		err := Write(&bytes.Buffer{}, c.sd)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

func TestSaveFailureLeavesNoFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bad.pth")
	err := Save(path, &StateDict{Entries: []Tensor{{Name: "w"}}})
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("error %v, want one naming %s", err, path)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("failed Save left %d files", len(ents))
	}
}

// TestPicklerIntsAndMemo runs the pickler's integer encodings and more than 256 memo
// slots (LONG_BINPUT/LONG_BINGET) through the VM.
func TestPicklerIntsAndMemo(t *testing.T) {
	ints := []int64{0, 1, 255, 256, 65535, 65536, -1, -1 << 31, 1<<31 - 1, 1 << 31, -1<<31 - 1, math.MaxInt64, math.MinInt64}
	p := newPickler()
	p.op(']', '(')
	for _, v := range ints {
		p.int(v)
	}
	for i := 0; i < 300; i++ {
		p.str(strings.Repeat("k", i%7)+string(rune('a'+i%26))+string(rune('a'+i/26)), true)
	}
	for i := 0; i < 300; i++ {
		p.str(strings.Repeat("k", i%7)+string(rune('a'+i%26))+string(rune('a'+i/26)), true)
	}
	p.op('e', '.')
	v, err := unpickle(newSource(bytes.NewReader(p.buf.Bytes()), int64(p.buf.Len())), nil)
	if err != nil {
		t.Fatal(err)
	}
	items := v.(*pyList).items
	if len(items) != len(ints)+600 {
		t.Fatalf("%d items", len(items))
	}
	for i, w := range ints {
		if items[i] != w {
			t.Errorf("int %d: got %v, want %d", i, items[i], w)
		}
	}
	for i := 0; i < 300; i++ {
		if items[len(ints)+i] != items[len(ints)+300+i] {
			t.Errorf("memo string %d: %v != %v", i, items[len(ints)+i], items[len(ints)+300+i])
		}
	}
}

// encode's storage bytes without a copy (little-endian machines) are those of the
// value-by-value conversion, special values and integer extremes included.
func TestEncodeNoCopy(t *testing.T) {
	f32 := []float32{0, float32(math.Copysign(0, -1)), 1.5, -3.25e-39, float32(math.NaN()), float32(math.Inf(-1)), math.MaxFloat32}
	f64 := []float64{0, math.Copysign(0, -1), math.Pi, 5e-324, math.NaN(), math.Inf(1), -math.MaxFloat64}
	i64 := []int64{0, -1, 1, math.MinInt64, math.MaxInt64, 1 << 40}
	for _, ts := range []*Tensor{
		{Name: "f32", Shape: []int{len(f32)}, DType: Float32, F32: f32},
		{Name: "f64", Shape: []int{len(f64)}, DType: Float64, F64: f64},
		{Name: "i64", Shape: []int{2, 3}, DType: Int64, I64: i64},
		{Name: "scalar", DType: Float32, F32: []float32{7}},
		{Name: "empty", Shape: []int{0, 3}, DType: Float32, F32: []float32{}},
		{Name: "i32", Shape: []int{2}, DType: Int32, I64: []int64{-5, 1 << 30}},
	} {
		got, want := encode(ts), encodeCopy(ts)
		if !bytes.Equal(got, want) {
			t.Errorf("%s: encode % x, want % x", ts.Name, got, want)
		}
	}
	if !hostLittleEndian {
		t.Log("big-endian host: encode copied (the no-copy path was not exercised)")
	}
}
