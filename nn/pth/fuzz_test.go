package pth

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzRead feeds arbitrary bytes to Read: it must return an error or a state dict
// whose entries are valid, never panic or allocate without bound. Run it with
// go test ./nn/pth -run '^$' -fuzz FuzzRead -fuzztime 60s.
func FuzzRead(f *testing.F) {
	for _, name := range []string{"mixed.pth", "legacy.pth", "module.pth", "nested.pth", "written_by_go.pth"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte("\x80\x02ctorch._utils\n_rebuild_tensor_v2\n(.")) // a bare pickle
	f.Fuzz(func(t *testing.T, b []byte) {
		sd, err := Read(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			return
		}
		for i := range sd.Entries {
			if err := sd.Entries[i].Validate(); err != nil {
				t.Fatalf("entry %d read from fuzz input is invalid: %v", i, err)
			}
		}
		// Whatever was read can be written and read back (unless flattening produced
		// duplicate names, which Write refuses).
		var buf bytes.Buffer
		if err := Write(&buf, sd); err != nil {
			return
		}
		if _, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len())); err != nil {
			t.Fatalf("re-reading a written file: %v", err)
		}
	})
}
