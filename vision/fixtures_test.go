package vision

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/tensor"
)

// loadNPY loads a fixture written by testdata/make_fixtures.py.
func loadNPY(t testing.TB, rel string) *tensor.Tensor {
	t.Helper()
	x, err := tensor.LoadNPY(filepath.Join("testdata", rel))
	if err != nil {
		t.Fatal(err)
	}
	return x
}

// loadRGB loads an (H, W, 3) uint8 fixture as an RGB image.
func loadRGB(t testing.TB, rel string) *RGB {
	t.Helper()
	x := loadNPY(t, rel)
	s := x.Shape()
	if len(s) != 3 || s[2] != 3 {
		t.Fatalf("%s: shape %v, want (H, W, 3)", rel, s)
	}
	img := NewRGB(s[1], s[0])
	for i, v := range x.Data() {
		img.Pix[i] = uint8(v)
	}
	return img
}

// readCases reads a whitespace-separated manifest: one case per line.
func readCases(t testing.TB, rel string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if fs := strings.Fields(sc.Text()); len(fs) > 0 {
			out = append(out, fs)
		}
	}
	return out
}

func atoi(t testing.TB, s string) int {
	t.Helper()
	v, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
