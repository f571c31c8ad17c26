package vision

import (
	"bytes"
	"compress/gzip"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// writeTinyIDX writes n grey w×h images (pixel value = 10·image + x) and labels i%classes.
func writeTinyIDX(t *testing.T, dir, prefix string, n, w, h, classes int, gz bool) {
	t.Helper()
	pix := make([]uint8, n*w*h)
	lab := make([]uint8, n)
	for i := 0; i < n; i++ {
		lab[i] = uint8(i % classes)
		for p := 0; p < w*h; p++ {
			pix[i*w*h+p] = uint8(10*i + p%w)
		}
	}
	ext := ""
	if gz {
		ext = ".gz"
	}
	if err := WriteIDX(filepath.Join(dir, prefix+"-images-idx3-ubyte"+ext), []int{n, h, w}, pix); err != nil {
		t.Fatal(err)
	}
	if err := WriteIDX(filepath.Join(dir, prefix+"-labels-idx1-ubyte"+ext), []int{n}, lab); err != nil {
		t.Fatal(err)
	}
}

func TestIDXItemsGzippedAndPlain(t *testing.T) {
	for _, gz := range []bool{true, false} {
		dir := t.TempDir()
		writeTinyIDX(t, dir, "train", 5, 4, 3, 3, gz)
		ext := map[bool]string{true: ".gz", false: ""}[gz]
		items, vocab, err := IDXItems(filepath.Join(dir, "train-images-idx3-ubyte"+ext),
			filepath.Join(dir, "train-labels-idx1-ubyte"+ext), nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != 5 || len(vocab) != 10 || vocab[3] != "3" {
			t.Fatalf("%d items, vocab %v", len(items), vocab)
		}
		it := items[4]
		if !reflect.DeepEqual(it.Labels, []int{1}) || it.Image.W != 4 || it.Image.H != 3 {
			t.Fatalf("item 4: labels %v, image %dx%d", it.Labels, it.Image.W, it.Image.H)
		}
		// grey → RGB as PIL's convert("RGB"): R = G = B = the grey value
		if r, g, b := it.Image.At(2, 1); r != 42 || g != 42 || b != 42 {
			t.Errorf("pixel (2,1) = %d,%d,%d, want 42,42,42", r, g, b)
		}
		if !strings.Contains(it.Source, "image 4") {
			t.Errorf("source %q does not name the image", it.Source)
		}
	}
}

func TestIDXBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := map[string]struct {
		data []byte
		want string
	}{
		"magic":     {[]byte{1, 2, 3, 4}, "not an IDX file"},
		"type":      {[]byte{0, 0, 0x0d, 1, 0, 0, 0, 1, 0, 0, 0, 0}, "element type 0x0d"},
		"truncated": {[]byte{0, 0, 8, 1, 0, 0, 0, 9, 1, 2}, "truncated: 2 of 9"},
		"trailing":  {[]byte{0, 0, 8, 1, 0, 0, 0, 1, 7, 8}, "trailing bytes"},
		"header":    {[]byte{0, 0}, "header"},
		"huge":      {[]byte{0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 9}, "too large"},
	}
	for name, c := range cases {
		p := write(name, c.data)
		_, err := ReadIDX(p)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want one naming the file and %q", name, err, c.want)
		}
	}
	// A corrupt gzip stream is named too.
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write([]byte{0, 0, 8, 1, 0, 0, 0, 5, 1})
	zw.Close()
	p := write("short.gz", z.Bytes()[:z.Len()-6])
	if _, err := ReadIDX(p); err == nil || !strings.Contains(err.Error(), p) {
		t.Errorf("truncated gzip: %v", err)
	}
	// Images and labels that disagree, and a label outside the vocabulary.
	writeTinyIDX(t, dir, "a", 3, 2, 2, 3, false)
	writeTinyIDX(t, dir, "b", 4, 2, 2, 3, false)
	if _, _, err := IDXItems(filepath.Join(dir, "a-images-idx3-ubyte"), filepath.Join(dir, "b-labels-idx1-ubyte"), nil); err == nil ||
		!strings.Contains(err.Error(), "3 images") {
		t.Errorf("count mismatch: %v", err)
	}
	if _, _, err := IDXItems(filepath.Join(dir, "a-images-idx3-ubyte"), filepath.Join(dir, "a-labels-idx1-ubyte"), []string{"x", "y"}); err == nil ||
		!strings.Contains(err.Error(), "label 2 of image 2") {
		t.Errorf("label outside vocab: %v", err)
	}
}

func TestInMemoryItemsThroughTheLoader(t *testing.T) {
	// Validation path, Resize = Size = the image side: the planes are the grey values,
	// normalised, the same in the three channels.
	dir := t.TempDir()
	writeTinyIDX(t, dir, "t", 3, 8, 8, 2, true)
	items, vocab, err := IDXItems(filepath.Join(dir, "t-images-idx3-ubyte.gz"), filepath.Join(dir, "t-labels-idx1-ubyte.gz"), []string{"a", "b"})
	if err != nil {
		t.Fatal(err)
	}
	o := DefaultLoader()
	o.BatchSize, o.Resize, o.Size, o.Workers = 2, 8, 8, 2
	o.Mean, o.Std = [3]float32{0, 0, 0}, [3]float32{1, 1, 1}
	l, err := NewLoader(items, vocab, false, o)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for b, err := range l.Epoch(0) {
		if err != nil {
			t.Fatal(err)
		}
		x := b.X.Data()
		for i := 0; i < b.N; i++ {
			img := b.Items[i]
			for c := 0; c < 3; c++ {
				for p := 0; p < 64; p++ {
					want := float32(10*img+p%8) / 255
					if got := x[(c*b.N+i)*64+p]; got < want-1e-6 || got > want+1e-6 {
						t.Fatalf("image %d channel %d pixel %d = %v, want %v", img, c, p, got, want)
					}
				}
			}
			if got := b.Labels(i); !reflect.DeepEqual(got, []string{vocab[img%2]}) {
				t.Errorf("image %d labels %v", img, got)
			}
			seen++
		}
		b.Release()
	}
	if seen != 3 {
		t.Errorf("%d images, want 3", seen)
	}
}

func TestRandomSplit(t *testing.T) {
	items := make([]Item, 100)
	for i := range items {
		items[i].Path = string(rune('A' + i%26))
		items[i].Labels = []int{i}
	}
	tr, va, err := RandomSplit(items, 0.2, 7)
	if err != nil || len(tr) != 80 || len(va) != 20 {
		t.Fatalf("split %d/%d, %v", len(tr), len(va), err)
	}
	tr2, va2, _ := RandomSplit(items, 0.2, 7)
	if !reflect.DeepEqual(va, va2) || !reflect.DeepEqual(tr, tr2) {
		t.Error("the same seed split differently")
	}
	_, va3, _ := RandomSplit(items, 0.2, 8)
	if reflect.DeepEqual(va, va3) {
		t.Error("another seed split the same way")
	}
	seen := map[int]bool{}
	for _, part := range [][]Item{tr, va} {
		for j, it := range part {
			if j > 0 && it.Labels[0] < part[j-1].Labels[0] {
				t.Fatal("a part lost the source order")
			}
			seen[it.Labels[0]] = true
		}
	}
	if len(seen) != 100 {
		t.Errorf("%d distinct items after the split, want 100", len(seen))
	}
	if _, _, err := RandomSplit(items, 1, 0); err == nil {
		t.Error("valid_pct 1 accepted")
	}
}

func writePNG(t *testing.T, path string, v uint8) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	img := image.NewGray(image.Rect(0, 0, 4, 4))
	for i := range img.Pix {
		img.Pix[i] = v
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestFromFolder(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"train/cat/1.png", "train/cat/2.PNG", "train/dog/3.png", "valid/dog/4.png",
		"valid/cat/5.png", "train/dog/notes.txt"} {
		if strings.HasSuffix(f, ".txt") {
			os.WriteFile(filepath.Join(root, f), []byte("x"), 0o644)
			continue
		}
		writePNG(t, filepath.Join(root, f), 9)
	}
	ds, err := FromFolder(root, DefaultFolder())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ds.Vocab, []string{"cat", "dog"}) || len(ds.Train) != 3 || len(ds.Valid) != 2 {
		t.Fatalf("vocab %v, %d train, %d valid", ds.Vocab, len(ds.Train), len(ds.Valid))
	}
	if got := ds.LabelNames(ds.Valid[0].Labels); !reflect.DeepEqual(got, []string{"cat"}) ||
		filepath.Base(ds.Valid[0].Path) != "5.png" {
		t.Errorf("first valid item %s labelled %v", ds.Valid[0].Path, got)
	}
	// valid_pct: every image under the root, split at random with a seed.
	ds, err = FromFolder(root, FolderOptions{ValidPct: 0.4, Seed: 1})
	if err != nil || len(ds.Train)+len(ds.Valid) != 5 || len(ds.Valid) != 2 {
		t.Fatalf("valid_pct split: %v, %d train %d valid", err, len(ds.Train), len(ds.Valid))
	}
	// A missing split folder, and a validation class unknown to training, name the problem.
	writePNG(t, filepath.Join(root, "valid", "bird", "6.png"), 1)
	if _, err := FromFolder(root, DefaultFolder()); err == nil || !strings.Contains(err.Error(), `"bird"`) {
		t.Errorf("unknown validation class: %v", err)
	}
	if _, err := FromFolder(root, FolderOptions{Train: "training", Valid: "valid"}); err == nil ||
		!strings.Contains(err.Error(), `"training"`) {
		t.Errorf("missing folder: %v", err)
	}
}

func TestFromCSVSingleLabelRandomSplit(t *testing.T) {
	root := t.TempDir()
	var b strings.Builder
	b.WriteString("name,label\n")
	for i := 0; i < 10; i++ {
		f := filepath.Join("imgs", string(rune('a'+i))+".png")
		writePNG(t, filepath.Join(root, f), uint8(i))
		b.WriteString(f + "," + map[bool]string{true: "big cat", false: "dog"}[i%2 == 0] + "\n")
	}
	csvPath := filepath.Join(root, "labels.csv")
	os.WriteFile(csvPath, []byte(b.String()), 0o644)
	ds, err := FromCSV(csvPath, CSVOptions{FnameCol: "name", LabelCol: "label", ValidPct: 0.2, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	// no label_delim: "big cat" is one class
	if !reflect.DeepEqual(ds.Vocab, []string{"big cat", "dog"}) && !reflect.DeepEqual(ds.Vocab, []string{"big cat"}) &&
		!reflect.DeepEqual(ds.Vocab, []string{"dog"}) {
		t.Fatalf("vocab %v", ds.Vocab)
	}
	if len(ds.Train) != 8 || len(ds.Valid) != 2 {
		t.Errorf("%d train / %d valid, want 8/2", len(ds.Train), len(ds.Valid))
	}
	for _, it := range append(ds.Train, ds.Valid...) {
		if len(it.Labels) != 1 {
			t.Errorf("%s has labels %v, want exactly one", it.Path, it.Labels)
		}
	}
}
