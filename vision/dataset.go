package vision

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Item is one labelled image of a split.
type Item struct {
	Path   string // image file
	Image  *RGB   // the decoded image when held in memory (IDX data); Path is then unused
	Labels []int  // indices into the vocabulary, ascending, unique
	Source string // where it was listed, e.g. "train.csv line 13"
}

// Dataset is a multi-label image dataset split into training and validation items,
// with fastai's vocabulary: the sorted unique labels of the training split only
// (SPEC §1.2).
type Dataset struct {
	Vocab   []string
	Train   []Item // in source order (the loader shuffles)
	Valid   []Item // in source order
	Skipped []BadItem
}

// NumClasses returns len(Vocab).
func (d *Dataset) NumClasses() int { return len(d.Vocab) }

// LabelNames returns the names of label indices.
func (d *Dataset) LabelNames(idx []int) []string {
	out := make([]string, len(idx))
	for i, k := range idx {
		out[i] = d.Vocab[k]
	}
	return out
}

// FromCSV reads a from_df table (see CSVOptions) and builds the dataset. Images are
// looked up in o.Folder (relative to the CSV's directory unless absolute); a missing
// image, or a validation label absent from the training vocabulary (fastai fails on
// it), is an error naming the row, or a skipped item with o.SkipBad.
func FromCSV(path string, o CSVOptions) (*Dataset, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, bad, err := ReadCSV(f, filepath.Base(path), o)
	if err != nil {
		return nil, err
	}
	if o.ValidCol == "" && o.ValidPct > 0 {
		isValid, err := randomValid(len(recs), o.ValidPct, o.Seed)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		for i := range recs {
			recs[i].IsValid = isValid[i]
		}
	}
	return build(recs, bad, imageDir(path, o.Folder), o.SkipBad)
}

// COCOOptions say how to read fastai's COCO-style train.json / valid.json.
type COCOOptions struct {
	Folder      string // image folder, relative to the JSON files' directory unless absolute
	SkipIgnored bool   // leave out objects flagged "ignore" (fastai keeps them)
	SkipBad     bool   // skip (and report) bad entries and missing images instead of failing
	Parser      JSONParser
}

// FromCOCO builds a dataset from a training and a validation COCO file: an image's
// labels are the categories of its objects. The images of both files are looked up in
// o.Folder, relative to the training file's directory unless absolute.
func FromCOCO(trainJSON, validJSON string, o COCOOptions) (*Dataset, error) {
	var recs []Record
	var bad []BadItem
	for i, p := range []string{trainJSON, validJSON} {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		r, b, err := ReadCOCO(data, filepath.Base(p), i == 1, o.SkipIgnored, o.SkipBad, o.Parser)
		bad = append(bad, b...)
		if err != nil {
			return nil, err
		}
		recs = append(recs, r...)
	}
	return build(recs, bad, imageDir(trainJSON, o.Folder), o.SkipBad)
}

func imageDir(source, folder string) string {
	if filepath.IsAbs(folder) {
		return folder
	}
	return filepath.Join(filepath.Dir(source), folder)
}

// build makes the vocabulary from the training records and checks every image exists.
func build(recs []Record, bad []BadItem, dir string, skipBad bool) (*Dataset, error) {
	ds := &Dataset{Skipped: bad}
	fail := func(b BadItem) error {
		if !skipBad {
			return b
		}
		ds.Skipped = append(ds.Skipped, b)
		return nil
	}
	set := map[string]bool{}
	for _, r := range recs {
		if !r.IsValid {
			for _, l := range r.Labels {
				set[l] = true
			}
		}
	}
	for l := range set {
		ds.Vocab = append(ds.Vocab, l)
	}
	sort.Strings(ds.Vocab)
	index := make(map[string]int, len(ds.Vocab))
	for i, l := range ds.Vocab {
		index[l] = i
	}
	for _, r := range recs {
		it := Item{Path: filepath.Join(dir, r.Fname), Source: r.Source}
		if st, err := os.Stat(it.Path); err != nil || !st.Mode().IsRegular() {
			if err == nil {
				err = fmt.Errorf("not a regular file")
			}
			if err := fail(BadItem{Source: r.Source, Path: it.Path, Err: fmt.Errorf("image missing: %w", err)}); err != nil {
				return nil, err
			}
			continue
		}
		ok := true
		for _, l := range r.Labels {
			k, known := index[l]
			if !known {
				ok = false
				if err := fail(BadItem{Source: r.Source, Path: it.Path, Err: fmt.Errorf("label %q is not in the training vocabulary", l)}); err != nil {
					return nil, err
				}
				break
			}
			it.Labels = append(it.Labels, k)
		}
		if !ok {
			continue
		}
		sort.Ints(it.Labels)
		it.Labels = uniqueInts(it.Labels)
		if r.IsValid {
			ds.Valid = append(ds.Valid, it)
		} else {
			ds.Train = append(ds.Train, it)
		}
	}
	return ds, nil
}

func uniqueInts(s []int) []int {
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
