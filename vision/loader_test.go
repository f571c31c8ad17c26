package vision

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fastgo/fastgo/vision/synth"
)

// sampleDataset generates a small synthetic data set and reads it back.
func sampleDataset(t testing.TB, train, valid int) (*Dataset, string) {
	t.Helper()
	dir := t.TempDir()
	if _, err := synth.Generate(dir, synth.Options{Seed: 3, Train: train, Valid: valid, Size: 64}); err != nil {
		t.Fatal(err)
	}
	ds, err := FromCSV(filepath.Join(dir, "train.csv"), DefaultCSV())
	if err != nil {
		t.Fatal(err)
	}
	return ds, dir
}

func smallOptions() LoaderOptions {
	o := DefaultLoader()
	o.BatchSize, o.Resize, o.Size, o.Seed = 8, 80, 40, 11
	return o
}

// epochData runs one epoch and copies out everything it produced.
type epochData struct {
	x, y  [][]float32
	items [][]int
	n     []int
}

func runEpoch(t testing.TB, l *Loader, epoch int) epochData {
	t.Helper()
	var d epochData
	for b, err := range l.Epoch(epoch) {
		if err != nil {
			t.Fatal(err)
		}
		d.x = append(d.x, slices.Clone(b.X.Data()))
		d.y = append(d.y, slices.Clone(b.Y.Data()))
		d.items = append(d.items, slices.Clone(b.Items))
		d.n = append(d.n, b.N)
		if s := b.X.Shape(); s[0] != 3 || s[1] != b.N || s[2] != l.opt.Size || s[3] != l.opt.Size {
			t.Fatalf("X shape %v", s)
		}
		b.Release()
	}
	return d
}

// TestLoaderDeterministicAcrossWorkers: the same seed and epoch give identical batches
// with 1 and 3 workers; another epoch gives another order and other augmentations.
func TestLoaderDeterministicAcrossWorkers(t *testing.T) {
	ds, _ := sampleDataset(t, 28, 12)
	var runs []epochData
	for _, w := range []int{1, 3} {
		o := smallOptions()
		o.Workers = w
		dl, err := NewDataLoaders(ds, o)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, runEpoch(t, dl.Train, 0), runEpoch(t, dl.Train, 1), runEpoch(t, dl.Valid, 0), runEpoch(t, dl.Valid, 5))
	}
	names := []string{"train epoch 0", "train epoch 1", "valid epoch 0", "valid epoch 5"}
	for i, n := range names {
		if !reflect.DeepEqual(runs[i], runs[i+4]) {
			t.Errorf("%s differs between 1 and 3 workers", n)
		}
	}
	if reflect.DeepEqual(runs[0].items, runs[1].items) || reflect.DeepEqual(runs[0].x[0], runs[1].x[0]) {
		t.Error("train epochs 0 and 1 have the same order or pixels")
	}
	if !reflect.DeepEqual(runs[2], runs[3]) {
		t.Error("validation batches differ between epochs: the valid transforms must be deterministic")
	}
}

// TestLoaderBatchesAndTargets checks fastai's epoch shape: training drops the last
// partial batch and covers distinct items; validation keeps order and the remainder;
// targets are the items' multi-hot labels.
func TestLoaderBatchesAndTargets(t *testing.T) {
	ds, _ := sampleDataset(t, 27, 11)
	dl, err := NewDataLoaders(ds, smallOptions())
	if err != nil {
		t.Fatal(err)
	}
	if dl.Train.Len() != 3 || dl.Valid.Len() != 2 {
		t.Fatalf("Len: train %d (27/8 → 3), valid %d (11/8 → 2)", dl.Train.Len(), dl.Valid.Len())
	}
	tr := runEpoch(t, dl.Train, 0)
	seen := map[int]bool{}
	for _, it := range tr.items {
		for _, i := range it {
			if seen[i] {
				t.Errorf("item %d twice in one epoch", i)
			}
			seen[i] = true
		}
	}
	if !reflect.DeepEqual(tr.n, []int{8, 8, 8}) || len(seen) != 24 {
		t.Errorf("train batch sizes %v, %d distinct items", tr.n, len(seen))
	}
	va := runEpoch(t, dl.Valid, 0)
	if !reflect.DeepEqual(va.n, []int{8, 3}) || !reflect.DeepEqual(va.items[1], []int{8, 9, 10}) {
		t.Errorf("valid batches %v items %v", va.n, va.items)
	}
	nc := len(ds.Vocab)
	for bi, items := range va.items {
		for s, it := range items {
			want := make([]float32, nc)
			for _, k := range ds.Valid[it].Labels {
				want[k] = 1
			}
			if got := va.y[bi][s*nc : (s+1)*nc]; !reflect.DeepEqual(got, want) {
				t.Errorf("valid batch %d slot %d: y %v, want %v", bi, s, got, want)
			}
		}
	}
	// Normalised values stay in the range ImageNet statistics allow.
	for _, x := range tr.x {
		for _, v := range x {
			if v < -2.2 || v > 2.7 || v != v {
				t.Fatalf("normalised value %g out of range", v)
			}
		}
	}
}

// TestLoaderStopsCleanly: breaking out of an epoch stops every goroutine, buffers are
// recycled, and a second concurrent epoch is refused.
func TestLoaderStopsCleanly(t *testing.T) {
	ds, _ := sampleDataset(t, 64, 8)
	o := smallOptions()
	o.Workers = 2
	dl, err := NewDataLoaders(ds, o)
	if err != nil {
		t.Fatal(err)
	}
	before := runtime.NumGoroutine()
	for e := 0; e < 3; e++ {
		for b, err := range dl.Train.Epoch(e) {
			if err != nil {
				t.Fatal(err)
			}
			for b2, err := range dl.Train.Epoch(e) {
				if b2 != nil || err == nil || !strings.Contains(err.Error(), "already running") {
					t.Errorf("concurrent epoch: %v, %v", b2, err)
				}
			}
			b.Release()
			if b.Number == 1 {
				break
			}
		}
	}
	runEpoch(t, dl.Train, 4)
	time.Sleep(20 * time.Millisecond)
	if after := runtime.NumGoroutine(); after > before {
		t.Errorf("%d goroutines before, %d after: workers leaked", before, after)
	}
	if st := dl.Train.Stats(); st.Buffers > int64(o.Prefetch+2)+2 {
		t.Errorf("%d batch buffers allocated; the pool should keep about Prefetch+2", st.Buffers)
	}
	if st := dl.Train.Stats(); st.Images == 0 || st.Decode <= 0 || st.Augment <= 0 {
		t.Errorf("stats not collected: %+v", st)
	}
}

// TestLoaderBadImages: a truncated image stops the epoch with an error naming the CSV
// row and the file; with SkipBad it is dropped from its batch, which stays otherwise
// identical, and reported once.
func TestLoaderBadImages(t *testing.T) {
	ds, _ := sampleDataset(t, 30, 10)
	bad := ds.Valid[3].Path
	data, err := os.ReadFile(bad)
	if err != nil {
		t.Fatal(err)
	}
	o := smallOptions()
	clean, err := NewLoader(ds.Valid, ds.Vocab, false, o)
	if err != nil {
		t.Fatal(err)
	}
	want := runEpoch(t, clean, 0)
	if err := os.WriteFile(bad, data[:len(data)/3], 0o644); err != nil {
		t.Fatal(err)
	}
	l, _ := NewLoader(ds.Valid, ds.Vocab, false, o)
	var gotErr error
	for _, err := range l.Epoch(0) {
		if err != nil {
			gotErr = err
			break
		}
	}
	if gotErr == nil || !strings.Contains(gotErr.Error(), ds.Valid[3].Source) || !strings.Contains(gotErr.Error(), filepath.Base(bad)) {
		t.Fatalf("error %v, want one naming %s and %s", gotErr, ds.Valid[3].Source, bad)
	}
	o.SkipBad = true
	l, _ = NewLoader(ds.Valid, ds.Vocab, false, o)
	got := runEpoch(t, l, 0)
	runEpoch(t, l, 1)
	if !reflect.DeepEqual(got.n, []int{7, 2}) || slices.Contains(got.items[0], 3) {
		t.Fatalf("batches %v items %v", got.n, got.items)
	}
	// The kept images are the clean run's images 0,1,2,4,5,6,7 of batch 0.
	sz := o.Size * o.Size
	for c := 0; c < 3; c++ {
		for j, s := range []int{0, 1, 2, 4, 5, 6, 7} {
			g := got.x[0][(c*7+j)*sz:][:sz]
			w := want.x[0][(c*8+s)*sz:][:sz]
			if !reflect.DeepEqual(g, w) {
				t.Fatalf("channel %d, image %d differs after compaction", c, s)
			}
		}
	}
	if sk := l.Skipped(); len(sk) != 1 || sk[0].Path != bad {
		t.Errorf("skipped %v", sk)
	}
}

// TestLoaderOptionsChecked: bad options are errors.
func TestLoaderOptionsChecked(t *testing.T) {
	for _, f := range []func(*LoaderOptions){
		func(o *LoaderOptions) { o.BatchSize = 0 },
		func(o *LoaderOptions) { o.Size = 1 },
		func(o *LoaderOptions) { o.Std[1] = 0 },
		func(o *LoaderOptions) { o.Aug.MaxZoom = 0.5 },
		func(o *LoaderOptions) { o.Workers = -1 },
	} {
		o := DefaultLoader()
		f(&o)
		if _, err := NewLoader(nil, nil, true, o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	if _, err := NewLoader([]Item{{Labels: []int{3}}}, []string{"a"}, true, DefaultLoader()); err == nil {
		t.Error("label index outside the vocabulary accepted")
	}
}

// TestVOCLoader runs the real recipe (Resize 460, size 224) on the first validation
// batch of the shared VOC data: the batch follows the CSV order and labels, and the
// images are the deterministic centre-crop path, the same across two loaders.
func TestVOCLoader(t *testing.T) {
	needVOC(t)
	ds, err := FromCSV(filepath.Join(vocDir, "train.csv"), DefaultCSV())
	if err != nil {
		t.Fatal(err)
	}
	o := DefaultLoader()
	o.BatchSize = 4
	l, err := NewLoader(ds.Valid, ds.Vocab, false, o)
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() != 627 { // ceil(2508/4)
		t.Errorf("Len %d, want 627", l.Len())
	}
	want := [][]string{{"chair"}, {"car"}, {"horse", "person"}, {"bicycle"}} // 000005, 000007, 000009, 000016
	var first []float32
	for run := 0; run < 2; run++ {
		l, _ := NewLoader(ds.Valid, ds.Vocab, false, o)
		for b, err := range l.Epoch(run) {
			if err != nil {
				t.Fatal(err)
			}
			if s := b.X.Shape(); !reflect.DeepEqual(s, []int{3, 4, 224, 224}) {
				t.Fatalf("X shape %v", s)
			}
			for i, w := range want {
				if got := b.Labels(i); !reflect.DeepEqual(got, w) {
					t.Errorf("image %d (%s): labels %v, want %v", i, ds.Valid[b.Items[i]].Path, got, w)
				}
			}
			if run == 0 {
				first = slices.Clone(b.X.Data())
			} else if !reflect.DeepEqual(first, b.X.Data()) {
				t.Error("validation batch differs between loaders and epochs")
			}
			b.Release()
			break
		}
	}
}

// TestDataLoadersFromCSV checks the one-call form against FromCSV and NewDataLoaders
// (the same vocabulary and the same first training batch) and that a missing file is
// an error naming it.
func TestDataLoadersFromCSV(t *testing.T) {
	ds, dir := sampleDataset(t, 16, 8)
	want, err := NewDataLoaders(ds, smallOptions())
	if err != nil {
		t.Fatal(err)
	}
	got, err := DataLoadersFromCSV(filepath.Join(dir, "train.csv"), DefaultCSV(), smallOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Train.Vocab(), want.Train.Vocab()) || got.Train.Len() != want.Train.Len() || got.Valid.Len() != want.Valid.Len() {
		t.Fatalf("vocab %v, %d+%d batches; want %v, %d+%d", got.Train.Vocab(), got.Train.Len(), got.Valid.Len(),
			want.Train.Vocab(), want.Train.Len(), want.Valid.Len())
	}
	if g, w := runEpoch(t, got.Train, 0), runEpoch(t, want.Train, 0); !reflect.DeepEqual(g, w) {
		t.Error("the first training epoch differs from FromCSV + NewDataLoaders'")
	}
	missing := filepath.Join(dir, "missing.csv")
	if _, err := DataLoadersFromCSV(missing, DefaultCSV(), smallOptions()); err == nil || !strings.Contains(err.Error(), "missing.csv") {
		t.Errorf("missing CSV: error %v, want one naming the file", err)
	}
}

// TestAugmentedLoader checks the test-time-augmentation copy of a validation loader:
// the same items in the same batches and order with the same targets, but augmented
// images, drawn afresh for every epoch number and repeatable for the same one.
func TestAugmentedLoader(t *testing.T) {
	ds, _ := sampleDataset(t, 8, 13)
	dls, err := NewDataLoaders(ds, smallOptions())
	if err != nil {
		t.Fatal(err)
	}
	va := dls.Valid
	aug := va.Augmented()
	if aug.Len() != va.Len() || aug.Len() != 2 {
		t.Fatalf("augmented loader: %d batches, validation %d (want 2: the partial batch kept)", aug.Len(), va.Len())
	}
	plain := runEpoch(t, va, 0)
	a0, a1, again := runEpoch(t, aug, 0), runEpoch(t, aug, 1), runEpoch(t, aug, 0)
	if !reflect.DeepEqual(a0.items, plain.items) || !reflect.DeepEqual(a0.y, plain.y) || !reflect.DeepEqual(a0.n, plain.n) {
		t.Fatalf("augmented items %v / sizes %v, validation %v / %v: want the same order and targets", a0.items, a0.n, plain.items, plain.n)
	}
	if reflect.DeepEqual(a0.x, plain.x) {
		t.Fatal("augmented images equal the validation images")
	}
	if reflect.DeepEqual(a0.x, a1.x) {
		t.Fatal("epochs 0 and 1 of the augmented loader drew the same augmentation")
	}
	if !reflect.DeepEqual(a0.x, again.x) {
		t.Fatal("epoch 0 of the augmented loader is not repeatable")
	}
	// the validation loader itself is unchanged by having an augmented copy
	if !reflect.DeepEqual(runEpoch(t, va, 0).x, plain.x) {
		t.Fatal("the validation loader changed")
	}
}
