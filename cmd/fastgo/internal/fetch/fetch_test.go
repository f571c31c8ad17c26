package fetch

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// entry is one member of a test tarball.
type entry struct {
	name, body string
	typ        byte
	link       string
}

func tarball(t *testing.T, es []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, e := range es {
		h := &tar.Header{Name: e.name, Mode: 0o644, Typeflag: e.typ, Linkname: e.link}
		if e.typ == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(e.body))
		}
		if h.Typeflag == tar.TypeDir {
			h.Mode = 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write([]byte(e.body))
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	return buf.Bytes()
}

func serve(t *testing.T, data []byte, hits *atomic.Int32) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.URL.Path != "/pascal_2007.tgz" {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestDatasetDownloadsOnceAndUnpacks(t *testing.T) {
	data := tarball(t, []entry{
		{name: "pascal_2007/", typ: tar.TypeDir},
		{name: "pascal_2007/train.csv", body: "fname,labels,is_valid\n000005.jpg,chair,True\n"},
		{name: "pascal_2007/train/000005.jpg", body: "not really a jpeg"},
	})
	var hits atomic.Int32
	s := serve(t, data, &hits)
	cache := filepath.Join(t.TempDir(), "cache")
	var log bytes.Buffer
	dir, err := Dataset(context.Background(), s.URL+"/pascal_2007.tgz", cache, &log)
	if err != nil {
		t.Fatal(err)
	}
	if dir != filepath.Join(cache, "pascal_2007") {
		t.Errorf("dir %s", dir)
	}
	b, err := os.ReadFile(filepath.Join(dir, "train.csv"))
	if err != nil || !strings.Contains(string(b), "000005.jpg,chair,True") {
		t.Fatalf("train.csv: %q %v", b, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "train", "000005.jpg")); string(b) != "not really a jpeg" {
		t.Errorf("image content %q", b)
	}
	if !strings.Contains(log.String(), "downloaded pascal_2007.tgz") {
		t.Errorf("progress log %q", log.String())
	}
	// No temporary files are left behind.
	ents, _ := os.ReadDir(cache)
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".") || strings.HasSuffix(e.Name(), ".part") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
	// A second call uses the cache without the network.
	s.Close()
	dir2, err := Dataset(context.Background(), s.URL+"/pascal_2007.tgz", cache, nil)
	if err != nil || dir2 != dir || hits.Load() != 1 {
		t.Errorf("second call: %s %v after %d requests", dir2, err, hits.Load())
	}
}

func TestDatasetFlatArchive(t *testing.T) {
	data := tarball(t, []entry{{name: "./train.csv", body: "x"}, {name: "./train/a.jpg", body: "y"}})
	var hits atomic.Int32
	s := serve(t, data, &hits)
	dir, err := Dataset(context.Background(), s.URL+"/pascal_2007.tgz", t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "train", "a.jpg")); err != nil {
		t.Error(err)
	}
}

func TestDownloadErrors(t *testing.T) {
	var hits atomic.Int32
	s := serve(t, nil, &hits)
	cache := t.TempDir()
	_, err := Dataset(context.Background(), s.URL+"/missing/pascal_2007.tgz", cache, nil)
	if err == nil || !strings.Contains(err.Error(), "404") || !strings.Contains(err.Error(), s.URL) {
		t.Errorf("404: %v", err)
	}
	if _, err := os.Stat(filepath.Join(cache, "pascal_2007.tgz.part")); !os.IsNotExist(err) {
		t.Error("partial download left behind")
	}
	if _, err := Dataset(context.Background(), s.URL+"/data.zip", cache, nil); err == nil || !strings.Contains(err.Error(), "cannot name") {
		t.Errorf("bad name: %v", err)
	}
	// An unreachable server says so.
	s.Close()
	if _, err := Dataset(context.Background(), s.URL+"/pascal_2007.tgz", cache, nil); err == nil || !strings.Contains(err.Error(), "no network?") {
		t.Errorf("unreachable: %v", err)
	}
}

func TestExtractRefusesUnsafeEntries(t *testing.T) {
	cases := []struct {
		e    entry
		want string
	}{
		{entry{name: "../evil.txt", body: "x"}, `path with ".."`},
		{entry{name: "a/../../evil.txt", body: "x"}, `path with ".."`},
		{entry{name: "/tmp/evil.txt", body: "x"}, "absolute path"},
		{entry{name: "link", typ: tar.TypeSymlink, link: "/etc/passwd"}, "unsupported type"},
		{entry{name: "hard", typ: tar.TypeLink, link: "x"}, "unsupported type"},
	}
	for _, c := range cases {
		dir := t.TempDir()
		archive := filepath.Join(t.TempDir(), "a.tgz")
		os.WriteFile(archive, tarball(t, []entry{c.e}), 0o644)
		err := Extract(archive, dir)
		if err == nil || !strings.Contains(err.Error(), c.e.name) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("entry %q: error %v, want one naming it and saying %s", c.e.name, err, c.want)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 0 {
			t.Errorf("entry %q: wrote %d files", c.e.name, len(ents))
		}
	}
	// Not a gzip file.
	archive := filepath.Join(t.TempDir(), "b.tgz")
	os.WriteFile(archive, []byte("plain text"), 0o644)
	if err := Extract(archive, t.TempDir()); err == nil || !strings.Contains(err.Error(), "not a gzip file") {
		t.Errorf("plain file: %v", err)
	}
}

func TestCacheDir(t *testing.T) {
	t.Setenv("FASTGO_HOME", "/x/fg")
	if d, err := CacheDir(); err != nil || d != "/x/fg/data" {
		t.Errorf("with FASTGO_HOME: %s %v", d, err)
	}
	t.Setenv("FASTGO_HOME", "")
	t.Setenv("HOME", "/home/u")
	if d, err := CacheDir(); err != nil || d != "/home/u/.fastgo/data" {
		t.Errorf("default: %s %v", d, err)
	}
}
