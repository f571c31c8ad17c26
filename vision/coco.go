package vision

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"unicode/utf8"

	"github.com/minio/simdjson-go"
)

// COCO-style annotation files (fastai's train.json / valid.json): an image's labels are
// the category names of its objects (fastai's get_annotations counts every object,
// including those VOC marks difficult, "ignore": 1).

// cocoDoc is the part of a COCO file the loader uses, in file order.
type cocoDoc struct {
	images []cocoImage
	anns   []cocoAnn
	cats   []cocoCat
}

type cocoImage struct {
	id   int64
	file string
}

type cocoAnn struct {
	imageID, catID int64
	ignore         bool
}

type cocoCat struct {
	id   int64
	name string
}

// JSONParser selects the JSON reader for COCO files.
type JSONParser int

const (
	// JSONAuto uses simdjson-go where the CPU supports it (amd64 with AVX2 and CLMUL)
	// and encoding/json elsewhere.
	JSONAuto JSONParser = iota
	// JSONSimd forces simdjson-go (an error on CPUs without it).
	JSONSimd
	// JSONStd forces encoding/json.
	JSONStd
)

// SimdJSONSupported reports whether simdjson-go can run on this CPU.
func SimdJSONSupported() bool { return simdjson.SupportedCPU() }

// parseCOCO parses a COCO document. With simdjson, any failure is re-parsed by
// encoding/json, whose errors carry the byte offset; the two readers give the same
// result on every input both accept (checked by FuzzReadCOCO).
func parseCOCO(data []byte, p JSONParser) (*cocoDoc, error) {
	if !utf8.Valid(data) {
		n := 0
		for len(data[n:]) > 0 {
			r, size := utf8.DecodeRune(data[n:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			n += size
		}
		return nil, fmt.Errorf("byte %d: invalid UTF-8", n)
	}
	switch {
	case p == JSONStd, p == JSONAuto && !SimdJSONSupported():
		return parseCOCOStd(data)
	case p == JSONSimd && !SimdJSONSupported():
		return nil, errors.New("simdjson-go is not supported on this CPU")
	}
	if doc, err := parseCOCOSimd(data); err == nil {
		return doc, nil
	}
	return parseCOCOStd(data)
}

// jsonInt converts a JSON number to an integer id: it must be integral and exactly
// representable (|v| ≤ 2^53), whatever its spelling (12, 12.0, 1.2e1).
func jsonInt(v float64, what string) (int64, error) {
	if v != math.Trunc(v) || math.Abs(v) > 1<<53 {
		return 0, fmt.Errorf("%s: %v is not an integer id", what, v)
	}
	return int64(v), nil
}

// checkName rejects strings that could not have come from valid UTF-8 text (lone
// surrogate escapes, which readers replace in different ways).
func checkName(s, what string) error {
	if !utf8.ValidString(s) || containsRune(s, utf8.RuneError) {
		return fmt.Errorf("%s: invalid character in %q", what, s)
	}
	return nil
}

func containsRune(s string, r rune) bool {
	for _, c := range s {
		if c == r {
			return true
		}
	}
	return false
}

// ReadCOCO parses a COCO annotation file (data, called name in messages) into one
// Record per image, in file order, with the sorted unique category names of its objects
// as labels; isValid is set on every record. skipIgnored leaves out objects whose
// "ignore" flag is set (VOC "difficult"), which fastai does not do. An annotation that
// names an unknown image or category is a bad row: an error, or skipped and returned
// when skipBad is set. Malformed JSON is always an error.
func ReadCOCO(data []byte, name string, isValid, skipIgnored, skipBad bool, p JSONParser) ([]Record, []BadItem, error) {
	doc, err := parseCOCO(data, p)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	var bad []BadItem
	fail := func(src string, err error) error {
		b := BadItem{Source: name + " " + src, Err: err}
		if !skipBad {
			return b
		}
		bad = append(bad, b)
		return nil
	}
	cats := map[int64]string{}
	for i, c := range doc.cats {
		if _, dup := cats[c.id]; dup {
			return nil, bad, fmt.Errorf("%s categories[%d]: duplicate category id %d", name, i, c.id)
		}
		cats[c.id] = c.name
	}
	index := map[int64]int{}
	recs := make([]Record, 0, len(doc.images))
	for i, im := range doc.images {
		src := fmt.Sprintf("images[%d]", i)
		if _, dup := index[im.id]; dup {
			if err := fail(src, fmt.Errorf("duplicate image id %d", im.id)); err != nil {
				return nil, bad, err
			}
			continue
		}
		if im.file == "" {
			if err := fail(src, errors.New("empty file_name")); err != nil {
				return nil, bad, err
			}
			continue
		}
		index[im.id] = len(recs)
		recs = append(recs, Record{Fname: im.file, IsValid: isValid, Source: name + " " + src})
	}
	for i, a := range doc.anns {
		src := fmt.Sprintf("annotations[%d]", i)
		k, ok := index[a.imageID]
		cat, okc := cats[a.catID]
		switch {
		case !ok:
			err = fmt.Errorf("image_id %d is not in images", a.imageID)
		case !okc:
			err = fmt.Errorf("category_id %d is not in categories", a.catID)
		default:
			if !(a.ignore && skipIgnored) {
				recs[k].Labels = append(recs[k].Labels, cat)
			}
			continue
		}
		if err := fail(src, err); err != nil {
			return nil, bad, err
		}
	}
	for i := range recs {
		recs[i].Labels = sortedUnique(recs[i].Labels)
	}
	return recs, bad, nil
}

// sortedUnique sorts s in place (byte order = Python's code-point order for UTF-8)
// and drops duplicates.
func sortedUnique(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
