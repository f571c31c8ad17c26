package vision

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzReadCSV: any input gives records or an error, never a panic; every record has a
// file name, and with SkipBad nothing but the header can stop the reader.
func FuzzReadCSV(f *testing.F) {
	f.Add("fname,labels,is_valid\na.jpg,dog cat,True\nb.jpg,,False\n")
	f.Add("fname,labels,is_valid\n\"a,b.jpg\",\"x y\",1\nc.jpg,z\n")
	f.Add("a,b\n\"unterminated\n")
	f.Add("\ufefffname,labels,is_valid\nx,y,maybe\n")
	f.Fuzz(func(t *testing.T, in string) {
		for _, skip := range []bool{false, true} {
			o := DefaultCSV()
			o.SkipBad = skip
			recs, bad, err := ReadCSV(bytes.NewReader([]byte(in)), "f.csv", o)
			if err != nil {
				continue
			}
			for _, r := range recs {
				if r.Fname == "" || r.Source == "" {
					t.Fatalf("record without file name or source: %+v", r)
				}
				for _, l := range r.Labels {
					if l == "" {
						t.Fatalf("empty label in %+v", r)
					}
				}
			}
			if !skip && len(bad) > 0 {
				t.Fatalf("bad rows returned without SkipBad: %v", bad)
			}
		}
	})
}

// FuzzReadCOCO: never a panic, and where simdjson-go runs, the two JSON readers agree:
// whenever simdjson accepts a document, encoding/json accepts it too with the same
// result (simdjson failures are re-parsed by encoding/json by design).
func FuzzReadCOCO(f *testing.F) {
	f.Add(cocoSample)
	f.Add(`{"images": [{"id": 1, "file_name": "a"}], "annotations": [], "categories": []}`)
	f.Add(`{"images": [{"id": 1e0, "file_name": "\u00e9\ud800"}], "annotations": [{"image_id": 1, "category_id": 2, "ignore": true}], "categories": [{"id": 2, "name": "x"}], "images": []}`)
	f.Add(`[1, 2, {"a": null}]`)
	f.Fuzz(func(t *testing.T, in string) {
		data := []byte(in)
		std, stdErr := parseCOCOStd(data)
		if _, _, err := ReadCOCO(data, "f.json", false, false, true, JSONAuto); err == nil && stdErr != nil {
			t.Fatalf("ReadCOCO accepted what encoding/json rejects: %v", stdErr)
		}
		if !SimdJSONSupported() {
			return
		}
		simd, simdErr := parseCOCOSimd(data)
		if simdErr != nil {
			return
		}
		if stdErr != nil {
			t.Fatalf("simdjson accepted, encoding/json rejected: %v", stdErr)
		}
		if !reflect.DeepEqual(simd, std) {
			t.Fatalf("readers disagree:\nsimdjson %+v\nencoding/json %+v", simd, std)
		}
	})
}

// FuzzDecode: the decoder wrapper never panics and returns a consistent image.
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"jpeg/q90_420.jpg", "jpeg/q90_422.jpg", "jpeg/gray.jpg", "jpeg/cmyk.jpg", "jpeg/q85_420_progressive.jpg", "pipeline/img.png"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		d := Decoder{MaxPixels: 1 << 20}
		var img RGB
		if err := d.Decode(data, &img); err != nil {
			return
		}
		if img.W <= 0 || img.H <= 0 || len(img.Pix) != 3*img.W*img.H || img.W*img.H > 1<<20 {
			t.Fatalf("decoded %dx%d with %d bytes", img.W, img.H, len(img.Pix))
		}
	})
}
