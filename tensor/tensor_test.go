package tensor

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReshapeAndSliceShareStorage(t *testing.T) {
	x := New(2, 3, 4)
	for i := range x.Data() {
		x.Data()[i] = float32(i)
	}
	r := x.Reshape(6, -1)
	if !ShapeEqual(r.Shape(), []int{6, 4}) {
		t.Fatalf("Reshape(6,-1) shape %v", r.Shape())
	}
	r.Set(-1, 5, 3)
	if x.At(1, 2, 3) != -1 {
		t.Fatalf("reshape is not a view")
	}
	s := x.Slice(1, 2)
	if !ShapeEqual(s.Shape(), []int{1, 3, 4}) || s.At(0, 0, 0) != 12 {
		t.Fatalf("Slice(1,2) = %v", s)
	}
	s.Set(100, 0, 0, 0)
	if x.At(1, 0, 0) != 100 {
		t.Fatalf("slice is not a view")
	}
}

func expectPanic(t *testing.T, substr string, f func()) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatalf("no panic, want one mentioning %q", substr)
		}
		if msg, _ := r.(string); !strings.Contains(msg, substr) {
			t.Fatalf("panic %v, want it to mention %q", r, substr)
		}
	}()
	f()
}

func TestShapeErrorsNameShapes(t *testing.T) {
	expectPanic(t, "[2 3] and [3 2]", func() { Add(New(2, 3), New(2, 3), New(3, 2)) })
	expectPanic(t, "[7 2]", func() { New(2, 3).Reshape(7, 2) })
	expectPanic(t, "[2 3] and [2 2]", func() { MatMul(New(2, 3), New(2, 2)) })
}

func TestPermuteMatchesIndexing(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	x := RandN(rng, 1, 2, 3, 4, 5)
	p := Permute(x, 1, 0, 3, 2)
	if !ShapeEqual(p.Shape(), []int{3, 2, 5, 4}) {
		t.Fatalf("shape %v", p.Shape())
	}
	for a := 0; a < 2; a++ {
		for b := 0; b < 3; b++ {
			for c := 0; c < 4; c++ {
				for d := 0; d < 5; d++ {
					if p.At(b, a, d, c) != x.At(a, b, c, d) {
						t.Fatalf("mismatch at %d %d %d %d", a, b, c, d)
					}
				}
			}
		}
	}
}

func TestMatMul(t *testing.T) {
	a := FromData([]float32{1, 2, 3, 4, 5, 6}, 2, 3)
	b := FromData([]float32{7, 8, 9, 10, 11, 12}, 3, 2)
	c := MatMul(a, b)
	want := []float32{58, 64, 139, 154}
	for i, v := range want {
		if c.Data()[i] != v {
			t.Fatalf("MatMul = %v, want %v", c.Data(), want)
		}
	}
}

func TestNPYRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, shape := range [][]int{{}, {5}, {2, 3}, {1, 2, 3, 4}, {0, 3}} {
		x := RandN(rng, 1, shape...)
		var buf bytes.Buffer
		if err := WriteNPY(&buf, x); err != nil {
			t.Fatal(err)
		}
		if buf.Len() < 64 || (buf.Len()-4*x.Len())%64 != 0 {
			t.Fatalf("header not padded to 64 bytes: total %d", buf.Len())
		}
		y, err := ReadNPY(&buf)
		if err != nil {
			t.Fatalf("shape %v: %v", shape, err)
		}
		if !SameShape(x, y) || MaxAbsDiff(x, y) != 0 {
			t.Fatalf("round trip of %v gave %v", x, y)
		}
	}
	d := []float64{1.5, -2.25, 1e-300}
	var buf bytes.Buffer
	if err := WriteNPY64(&buf, d, []int{3}); err != nil {
		t.Fatal(err)
	}
	got, shape, err := ReadNPY64(&buf)
	if err != nil || len(shape) != 1 || shape[0] != 3 || got[2] != 1e-300 || got[1] != -2.25 {
		t.Fatalf("ReadNPY64 = %v %v %v", got, shape, err)
	}
}

func TestNPYErrorsNameFileAndField(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "bad.npy")
	hdr := "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }"
	os.WriteFile(p, append([]byte("\x93NUMPY\x01\x00"+string(rune(len(hdr)))+"\x00"), hdr...), 0o644)
	_, err := LoadNPY(p)
	if err == nil || !strings.Contains(err.Error(), "bad.npy") || !strings.Contains(err.Error(), "descr") {
		t.Fatalf("error %v, want it to name the file and the descr field", err)
	}
	os.WriteFile(p, []byte("hello"), 0o644)
	if _, err := LoadNPY(p); err == nil || !strings.Contains(err.Error(), "magic") {
		t.Fatalf("error %v, want bad magic", err)
	}
	var buf bytes.Buffer
	WriteNPY(&buf, New(10))
	trunc := buf.Bytes()[:buf.Len()-8]
	if _, err := ReadNPY(bytes.NewReader(trunc)); err == nil || !strings.Contains(err.Error(), "ends after 8 of 10") {
		t.Fatalf("error %v, want truncation named", err)
	}
}
