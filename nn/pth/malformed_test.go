package pth

import (
	"archive/zip"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// zipOf builds a stored zip from name/data pairs.
func zipOf(t testing.TB, recs ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i < len(recs); i += 2 {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: recs[i], Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(recs[i+1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// records returns the records of a zip file as name/data pairs, dropping those for
// which drop returns true.
func records(t testing.TB, b []byte, drop func(string) bool) []string {
	t.Helper()
	zr, err := zipReader(b)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range zr.File {
		if drop != nil && drop(f.Name) {
			continue
		}
		rc, _ := f.Open()
		var data bytes.Buffer
		data.ReadFrom(rc)
		rc.Close()
		out = append(out, f.Name, data.String())
	}
	return out
}

func readErr(t *testing.T, b []byte) error {
	t.Helper()
	sd, err := Read(bytes.NewReader(b), int64(len(b)))
	if err == nil {
		t.Fatalf("read succeeded with %d entries, want an error", len(sd.Entries))
	}
	return err
}

func wantErr(t *testing.T, err error, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}

// tensorPickle is a data.pkl with one float tensor a = storage '0' of numel elements
// viewed with the given offset, size and stride.
func tensorPickle(numel, offset int64, size, stride []int64) string {
	p := newPickler()
	p.orderedDict()
	p.op('(')
	p.str("a", false)
	p.global("torch._utils", "_rebuild_tensor_v2")
	p.op('(', '(')
	p.str("storage", true)
	p.global("torch", "FloatStorage")
	p.str("0", false)
	p.str("cpu", true)
	p.int(numel)
	p.op('t', 'Q')
	p.int(offset)
	p.intTuple(size)
	p.intTuple(stride)
	p.op(0x89)
	p.orderedDict()
	p.op('t', 'R', 'u', '.')
	return p.buf.String()
}

func TestMalformedInputs(t *testing.T) {
	cases := []struct {
		name  string
		file  []byte
		parts []string
	}{
		{"not torch", []byte("hello, world: this is text"), []string{"not a PyTorch file"}},
		{"empty", nil, []string{"not a PyTorch file"}},
		{"zip without data.pkl", zipOf(t, "x/y", "z"), []string{"no <archive>/data.pkl", "x/y"}},
		{"torchscript", zipOf(t, "m/data.pkl", "\x80\x02}.", "m/constants.pkl", ""), []string{"TorchScript"}},
		{"disallowed global", zipOf(t, "a/data.pkl", "\x80\x02cos\nsystem\nX\x02\x00\x00\x00lsR."),
			[]string{"a/data.pkl", "byte 2", "GLOBAL", "os.system is not allowed"}},
		{"stack global", zipOf(t, "a/data.pkl", "\x80\x04X\x08\x00\x00\x00builtinsX\x04\x00\x00\x00eval\x93."),
			[]string{"STACK_GLOBAL", "builtins.eval is not allowed"}},
		{"bad opcode", zipOf(t, "a/data.pkl", "\x80\x02(i__main__\nC\n."), []string{"byte 3", "INST (0x69)", "not allowed"}},
		{"unknown opcode", zipOf(t, "a/data.pkl", "\x80\x02\xff."), []string{"unknown opcode 0xff"}},
		{"no stop", zipOf(t, "a/data.pkl", "\x80\x02}"), []string{"no STOP"}},
		{"underflow", zipOf(t, "a/data.pkl", "\x80\x02s."), []string{"SETITEM", "stack underflow"}},
		{"memo", zipOf(t, "a/data.pkl", "\x80\x02h\x05."), []string{"memo key 5"}},
		{"not a dict", zipOf(t, "a/data.pkl", "\x80\x02]."), []string{"list, not a state dict"}},
		{"call storage", zipOf(t, "a/data.pkl", "\x80\x02ctorch\nFloatStorage\n)R."), []string{"torch.FloatStorage cannot be called"}},
		{"missing storage", zipOf(t, "a/data.pkl", tensorPickle(4, 0, []int64{4}, []int64{1})), []string{`tensor "a"`, "missing storage record a/data/0"}},
		{"short storage", zipOf(t, "a/data.pkl", tensorPickle(4, 0, []int64{4}, []int64{1}), "a/data/0", "12345678"),
			[]string{"a/data/0 has 8 bytes, want 16"}},
		{"view out of range", zipOf(t, "a/data.pkl", tensorPickle(4, 1, []int64{2, 2}, []int64{2, 1}), "a/data/0", strings.Repeat("x", 16)),
			[]string{`tensor "a"`, "reaches element 4 of a 4-element storage"}},
		{"rank mismatch", zipOf(t, "a/data.pkl", tensorPickle(4, 0, []int64{4}, []int64{1, 1}), "a/data/0", strings.Repeat("x", 16)),
			[]string{"different lengths"}},
		{"huge expand", zipOf(t, "a/data.pkl", tensorPickle(1, 0, []int64{1 << 40}, []int64{0}), "a/data/0", "xxxx"),
			[]string{"expanded from a 1-element storage"}},
		{"legacy tar", append(make([]byte, 257), []byte("ustar\x0000")...), []string{"tar-format"}},
		{"legacy bad magic", []byte("\x80\x02\x8a\x02\x01\x02."), []string{"bad magic number"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantErr(t, readErr(t, c.file), c.parts...)
		})
	}
}

// TestMissingStorageInTorchFile drops one storage record from a torch-written file.
func TestMissingStorageInTorchFile(t *testing.T) {
	b, err := os.ReadFile("testdata/module.pth")
	if err != nil {
		t.Fatal(err)
	}
	recs := records(t, b, func(n string) bool { return n == "module/data/3" })
	wantErr(t, readErr(t, zipOf(t, recs...)), "missing storage record module/data/3")
}

func TestLoadErrorNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "broken.pth")
	os.WriteFile(path, zipOf(t, "a/data.pkl", "\x80\x02cos\nsystem\n."), 0o644)
	_, err := Load(path)
	if err == nil {
		t.Fatal("no error")
	}
	wantErr(t, err, path, "os.system")
	if _, err := Load(filepath.Join(t.TempDir(), "absent.pth")); err == nil || !strings.Contains(err.Error(), "absent.pth") {
		t.Errorf("missing file: %v", err)
	}
}

// TestTruncatedFiles cuts fixtures at every length: each prefix must give an error
// (or, for prefixes that are still complete files, a result), never a panic.
func TestTruncatedFiles(t *testing.T) {
	for _, name := range []string{"mixed.pth", "legacy.pth", "nested.pth", "written_by_go.pth"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; n < len(b); n++ {
			if _, err := Read(bytes.NewReader(b[:n]), int64(n)); err == nil {
				t.Errorf("%s cut to %d of %d bytes read without error", name, n, len(b))
			}
		}
	}
}
