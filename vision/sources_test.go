package vision

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// vocDir is the shared PASCAL VOC 2007 folder (relative to this package).
const vocDir = "../../shared/data/pascal_2007"

func needVOC(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(vocDir, "train.csv")); err != nil {
		t.Skipf("PASCAL VOC 2007 not found at %s (%v): skipping the real-data test", vocDir, err)
	}
}

func TestReadCSV(t *testing.T) {
	in := "fname,labels,is_valid\n" +
		"a.jpg,dog person,True\n" +
		"b.jpg,,False\n" +
		"\"c,1.jpg\",cat  dog,false\n" +
		"d.jpg,car,1\n"
	recs, bad, err := ReadCSV(strings.NewReader(in), "t.csv", DefaultCSV())
	if err != nil || len(bad) != 0 {
		t.Fatal(err, bad)
	}
	want := []Record{
		{"a.jpg", []string{"dog", "person"}, true, "t.csv line 2"},
		{"b.jpg", nil, false, "t.csv line 3"},
		{"c,1.jpg", []string{"cat", "dog"}, false, "t.csv line 4"},
		{"d.jpg", []string{"car"}, true, "t.csv line 5"},
	}
	if !reflect.DeepEqual(recs, want) {
		t.Errorf("got %+v\nwant %+v", recs, want)
	}
	// Columns by name, another delimiter, a suffix, no valid column.
	o := CSVOptions{FnameCol: "file", LabelCol: "tags", LabelDelim: ";", Suffix: ".png"}
	recs, _, err = ReadCSV(strings.NewReader("\ufefftags,file\nx;y,im1\n"), "u.csv", o)
	if err != nil || len(recs) != 1 || recs[0].Fname != "im1.png" || !reflect.DeepEqual(recs[0].Labels, []string{"x", "y"}) || recs[0].IsValid {
		t.Errorf("by name: %+v %v", recs, err)
	}
}

func TestReadCSVBadRows(t *testing.T) {
	cases := []struct{ name, in, wantErr string }{
		{"fields", "fname,labels,is_valid\na.jpg,dog,True\nb.jpg,cat\n", "t.csv line 3: 2 fields, the header has 3"},
		{"is_valid", "fname,labels,is_valid\na.jpg,dog,maybe\n", `t.csv line 2: unknown is_valid value "maybe"`},
		{"empty name", "fname,labels,is_valid\n,dog,True\n", "t.csv line 2: empty file name"},
		{"quote", "fname,labels,is_valid\n\"a.jpg,dog,True\n", "t.csv line 2"},
		{"no column", "name,labels\na,b\n", `valid column "is_valid" not in the header`},
		{"empty", "", "empty file"},
	}
	for _, c := range cases {
		_, _, err := ReadCSV(strings.NewReader(c.in), "t.csv", DefaultCSV())
		if err == nil || !strings.Contains(err.Error(), c.wantErr) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.wantErr)
		}
	}
	// SkipBad: bad rows are skipped and reported, good ones kept.
	o := DefaultCSV()
	o.SkipBad = true
	in := "fname,labels,is_valid\na.jpg,dog,True\nb.jpg,cat\nc.jpg,x,perhaps\nd.jpg,y,False\n"
	recs, bad, err := ReadCSV(strings.NewReader(in), "t.csv", o)
	if err != nil || len(recs) != 2 || len(bad) != 2 || bad[0].Source != "t.csv line 3" || bad[1].Source != "t.csv line 4" {
		t.Errorf("skip-bad: %v %+v %v", recs, bad, err)
	}
}

const cocoSample = `{"images": [{"file_name": "a.jpg", "id": 1, "width": 3},
  {"id": 2, "file_name": "b.jpg"}, {"id": 3.0, "file_name": "c.jpg"}],
 "type": "instances",
 "annotations": [{"image_id": 1, "category_id": 2, "bbox": [1, 2, 3, 4], "ignore": 0},
  {"image_id": 1, "category_id": 1, "ignore": 1}, {"image_id": 2, "category_id": 2},
  {"image_id": 1, "category_id": 2, "segmentation": [[1, 2]]}],
 "categories": [{"supercategory": "none", "id": 1, "name": "person"}, {"id": 2, "name": "dog"}]}`

func TestReadCOCOBothParsers(t *testing.T) {
	parsers := []JSONParser{JSONStd}
	if SimdJSONSupported() {
		parsers = append(parsers, JSONSimd)
	} else {
		t.Log("simdjson-go not supported on this CPU: testing encoding/json only")
	}
	for _, p := range parsers {
		recs, bad, err := ReadCOCO([]byte(cocoSample), "s.json", true, false, false, p)
		if err != nil || len(bad) != 0 {
			t.Fatalf("parser %d: %v %v", p, err, bad)
		}
		want := []Record{
			{"a.jpg", []string{"dog", "person"}, true, "s.json images[0]"},
			{"b.jpg", []string{"dog"}, true, "s.json images[1]"},
			{"c.jpg", nil, true, "s.json images[2]"},
		}
		if !reflect.DeepEqual(recs, want) {
			t.Errorf("parser %d: got %+v\nwant %+v", p, recs, want)
		}
		recs, _, _ = ReadCOCO([]byte(cocoSample), "s.json", true, true, false, p)
		if !reflect.DeepEqual(recs[0].Labels, []string{"dog"}) {
			t.Errorf("parser %d: skipping ignored objects: %v", p, recs[0].Labels)
		}
	}
}

func TestReadCOCOBadInput(t *testing.T) {
	cases := []struct{ name, in, wantErr string }{
		{"syntax", "{\"images\": [\n{\"id\": 1,}]}", "line 2"},
		{"unknown image", `{"images": [], "annotations": [{"image_id": 5, "category_id": 1}], "categories": [{"id": 1, "name": "x"}]}`, "annotations[0]: image_id 5 is not in images"},
		{"unknown category", `{"images": [{"id": 5, "file_name": "a"}], "annotations": [{"image_id": 5, "category_id": 9}], "categories": []}`, "category_id 9"},
		{"not integer", `{"images": [{"id": 1.5, "file_name": "a"}], "annotations": [], "categories": []}`, "images[0].id"},
		{"missing key", `{"images": [], "annotations": []}`, `no "categories"`},
		{"wrong type", `{"images": {}, "annotations": [], "categories": []}`, "images: want an array"},
		{"trailing", `{"images": [], "annotations": [], "categories": []} {}`, "after the JSON document"},
		{"bad utf8", "{\"images\": [{\"id\": 1, \"file_name\": \"\xff\"}], \"annotations\": [], \"categories\": []}", "invalid UTF-8"},
	}
	for _, c := range cases {
		for _, p := range []JSONParser{JSONStd, JSONAuto} {
			_, _, err := ReadCOCO([]byte(c.in), "v.json", false, false, false, p)
			if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), "v.json") {
				t.Errorf("%s (parser %d): error %v, want %q", c.name, p, err, c.wantErr)
			}
		}
	}
	in := `{"images": [{"id": 1, "file_name": "a"}], "annotations": [{"image_id": 1, "category_id": 1}, {"image_id": 7, "category_id": 1}], "categories": [{"id": 1, "name": "x"}]}`
	recs, bad, err := ReadCOCO([]byte(in), "v.json", false, false, true, JSONAuto)
	if err != nil || len(recs) != 1 || len(bad) != 1 || !strings.Contains(bad[0].Error(), "annotations[1]") {
		t.Errorf("skip-bad: %v %v %v", recs, bad, err)
	}
}

// TestDatasetFromCSV builds a small dataset on disk: vocabulary from the training rows
// only, missing images and unknown validation labels are errors naming the row.
func TestDatasetFromCSV(t *testing.T) {
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "train"), 0o755)
	for _, n := range []string{"a.png", "b.png", "c.png"} {
		os.WriteFile(filepath.Join(dir, "train", n), []byte("x"), 0o644)
	}
	write := func(s string) string {
		p := filepath.Join(dir, "train.csv")
		os.WriteFile(p, []byte(s), 0o644)
		return p
	}
	p := write("fname,labels,is_valid\na.png,zebra cat,False\nb.png,cat,True\nc.png,,False\n")
	ds, err := FromCSV(p, DefaultCSV())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ds.Vocab, []string{"cat", "zebra"}) || len(ds.Train) != 2 || len(ds.Valid) != 1 {
		t.Fatalf("vocab %v, %d train, %d valid", ds.Vocab, len(ds.Train), len(ds.Valid))
	}
	if !reflect.DeepEqual(ds.Train[0].Labels, []int{0, 1}) || len(ds.Train[1].Labels) != 0 || ds.Train[0].Path != filepath.Join(dir, "train", "a.png") {
		t.Errorf("train items %+v", ds.Train)
	}
	p = write("fname,labels,is_valid\na.png,cat,False\nb.png,dog,True\nmissing.png,cat,False\n")
	_, err = FromCSV(p, DefaultCSV())
	var bi BadItem
	if !errors.As(err, &bi) || bi.Source != "train.csv line 3" || !strings.Contains(err.Error(), "not in the training vocabulary") {
		t.Errorf("unknown valid label: %v", err)
	}
	o := DefaultCSV()
	o.SkipBad = true
	ds, err = FromCSV(p, o)
	if err != nil || len(ds.Skipped) != 2 || len(ds.Train) != 1 || len(ds.Valid) != 0 ||
		!strings.Contains(ds.Skipped[1].Error(), "line 4") || !strings.Contains(ds.Skipped[1].Error(), "image missing") {
		t.Errorf("skip-bad: %+v %v", ds, err)
	}
}

// TestVOCLabelsCSVvsJSON checks, on the shared VOC data, that the CSV and the COCO files
// agree for every image: the JSON's labels (all objects, as fastai reads them) equal
// train_incl_difficult.csv's, and train.json / valid.json match is_valid. (The JSON's
// "ignore" flags are all 0, so train.csv's non-difficult labels cannot be derived from
// it: 545 images differ.) The three images missing from train/ stop the
// JSON loader with an error naming them, and are skipped and counted with SkipBad.
func TestVOCLabelsCSVvsJSON(t *testing.T) {
	needVOC(t)
	csvLabels := func(name string) map[string]Record {
		f, err := os.Open(filepath.Join(vocDir, name))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		recs, _, err := ReadCSV(f, name, DefaultCSV())
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]Record{}
		for _, r := range recs {
			r.Labels = sortedUnique(r.Labels)
			m[r.Fname] = r
		}
		return m
	}
	want := csvLabels("train_incl_difficult.csv")
	if len(want) != 5008 {
		t.Fatalf("%d CSV rows, README says 5008", len(want))
	}
	for _, p := range []JSONParser{JSONStd, JSONAuto} {
		n := 0
		for i, name := range []string{"train.json", "valid.json"} {
			data, err := os.ReadFile(filepath.Join(vocDir, name))
			if err != nil {
				t.Fatal(err)
			}
			recs, _, err := ReadCOCO(data, name, i == 1, false, false, p)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range recs {
				w, ok := want[r.Fname]
				if !ok {
					continue // one of the three images missing from train/
				}
				n++
				if w.IsValid != r.IsValid || !reflect.DeepEqual(w.Labels, r.Labels) {
					t.Fatalf("%s (parser %d): %s has %v valid=%v, CSV %v valid=%v",
						name, p, r.Fname, r.Labels, r.IsValid, w.Labels, w.IsValid)
				}
			}
		}
		if n != len(want) {
			t.Errorf("parser %d: the JSON covers %d of %d CSV images", p, n, len(want))
		}
	}
	tj, vj := filepath.Join(vocDir, "train.json"), filepath.Join(vocDir, "valid.json")
	_, err := FromCOCO(tj, vj, COCOOptions{Folder: "train"})
	if err == nil || !strings.Contains(err.Error(), "009623.jpg") || !strings.Contains(err.Error(), "train.json images[") {
		t.Errorf("missing image: error %v, want one naming train.json and 009623.jpg", err)
	}
	ds, err := FromCOCO(tj, vj, COCOOptions{Folder: "train", SkipBad: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Skipped) != 3 || len(ds.Train) != 2500 || len(ds.Valid) != 2508 || len(ds.Vocab) != 20 {
		t.Errorf("skip-bad: %d skipped, %d train, %d valid, %d classes; want 3, 2500, 2508, 20",
			len(ds.Skipped), len(ds.Train), len(ds.Valid), len(ds.Vocab))
	}
	for _, b := range ds.Skipped {
		t.Logf("skipped: %v", b)
	}
	csv, err := FromCSV(filepath.Join(vocDir, "train.csv"), DefaultCSV())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(csv.Vocab, ds.Vocab) || csv.Vocab[0] != "aeroplane" || csv.Vocab[19] != "tvmonitor" {
		t.Errorf("vocab %v vs %v", csv.Vocab, ds.Vocab)
	}
}
