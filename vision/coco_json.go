package vision

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/minio/simdjson-go"
)

// jsonCursor is one JSON value of a document being read, as seen by readCOCODoc; each
// method consumes the value. Two implementations walk the same schema code: one over
// encoding/json's token stream, one over simdjson-go's tape. Object keys are matched
// exactly (encoding/json's struct decoding would match them case-insensitively) and a
// repeated key's last value wins.
type jsonCursor interface {
	object(what string, field func(key string, v jsonCursor) error) error
	array(what string, elem func(i int, v jsonCursor) error) error
	number(what string) (float64, error)
	str(what string) (string, error)
	boolOrNumber(what string) (bool, error) // true, false, or a number (≠ 0 is true)
	skip() error
}

// readCOCODoc reads the images, annotations and categories of a COCO document.
func readCOCODoc(root jsonCursor) (*cocoDoc, error) {
	doc := &cocoDoc{}
	var seen [3]bool
	intField := func(v jsonCursor, what string) (int64, error) {
		f, err := v.number(what)
		if err != nil {
			return 0, err
		}
		return jsonInt(f, what)
	}
	err := root.object("document", func(key string, v jsonCursor) error {
		switch key {
		case "images":
			seen[0], doc.images = true, nil
			return v.array("images", func(i int, e jsonCursor) error {
				what := fmt.Sprintf("images[%d]", i)
				var im cocoImage
				var has [2]bool
				err := e.object(what, func(k string, f jsonCursor) (err error) {
					switch k {
					case "id":
						has[0] = true
						im.id, err = intField(f, what+".id")
					case "file_name":
						has[1] = true
						if im.file, err = f.str(what + ".file_name"); err == nil {
							err = checkName(im.file, what+".file_name")
						}
					default:
						err = f.skip()
					}
					return err
				})
				if err == nil && !(has[0] && has[1]) {
					err = fmt.Errorf("%s: needs id and file_name", what)
				}
				doc.images = append(doc.images, im)
				return err
			})
		case "annotations":
			seen[1], doc.anns = true, nil
			return v.array("annotations", func(i int, e jsonCursor) error {
				what := fmt.Sprintf("annotations[%d]", i)
				var a cocoAnn
				var has [2]bool
				err := e.object(what, func(k string, f jsonCursor) (err error) {
					switch k {
					case "image_id":
						has[0] = true
						a.imageID, err = intField(f, what+".image_id")
					case "category_id":
						has[1] = true
						a.catID, err = intField(f, what+".category_id")
					case "ignore":
						a.ignore, err = f.boolOrNumber(what + ".ignore")
					default:
						err = f.skip()
					}
					return err
				})
				if err == nil && !(has[0] && has[1]) {
					err = fmt.Errorf("%s: needs image_id and category_id", what)
				}
				doc.anns = append(doc.anns, a)
				return err
			})
		case "categories":
			seen[2], doc.cats = true, nil
			return v.array("categories", func(i int, e jsonCursor) error {
				what := fmt.Sprintf("categories[%d]", i)
				var c cocoCat
				var has [2]bool
				err := e.object(what, func(k string, f jsonCursor) (err error) {
					switch k {
					case "id":
						has[0] = true
						c.id, err = intField(f, what+".id")
					case "name":
						has[1] = true
						if c.name, err = f.str(what + ".name"); err == nil {
							err = checkName(c.name, what+".name")
						}
					default:
						err = f.skip()
					}
					return err
				})
				if err == nil && (!has[0] || !has[1] || c.name == "") {
					err = fmt.Errorf("%s: needs id and a non-empty name", what)
				}
				doc.cats = append(doc.cats, c)
				return err
			})
		}
		return v.skip()
	})
	if err != nil {
		return nil, err
	}
	for i, k := range []string{"images", "annotations", "categories"} {
		if !seen[i] {
			return nil, fmt.Errorf("document has no %q", k)
		}
	}
	return doc, nil
}

// ---- encoding/json ----

// parseCOCOStd reads a COCO document with encoding/json's streaming tokenizer.
func parseCOCOStd(data []byte) (*cocoDoc, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	c := stdCursor{dec: dec, data: data}
	doc, err := readCOCODoc(c)
	if err != nil {
		return nil, c.locate(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, c.locate(fmt.Errorf("data after the JSON document"))
	}
	return doc, nil
}

type stdCursor struct {
	dec  *json.Decoder
	data []byte
}

// locate adds a line and column to syntax errors.
func (c stdCursor) locate(err error) error {
	off := c.dec.InputOffset()
	var se *json.SyntaxError
	if errors.As(err, &se) {
		off = se.Offset
	}
	off = min(max(off, 0), int64(len(c.data)))
	line := 1 + bytes.Count(c.data[:off], []byte("\n"))
	col := off - int64(bytes.LastIndexByte(c.data[:off], '\n'))
	return fmt.Errorf("line %d column %d: %w", line, col, err)
}

func (c stdCursor) token(what string) (json.Token, error) {
	t, err := c.dec.Token()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: unexpected end of JSON", what)
	}
	return t, err
}

func (c stdCursor) object(what string, field func(string, jsonCursor) error) error {
	t, err := c.token(what)
	if err != nil {
		return err
	}
	if t != json.Delim('{') {
		return fmt.Errorf("%s: want an object, got %v", what, t)
	}
	for c.dec.More() {
		kt, err := c.token(what)
		if err != nil {
			return err
		}
		key, ok := kt.(string)
		if !ok {
			return fmt.Errorf("%s: want a key, got %v", what, kt)
		}
		if err := field(key, c); err != nil {
			return err
		}
	}
	_, err = c.token(what) // '}' (Token checks the nesting)
	return err
}

func (c stdCursor) array(what string, elem func(int, jsonCursor) error) error {
	t, err := c.token(what)
	if err != nil {
		return err
	}
	if t != json.Delim('[') {
		return fmt.Errorf("%s: want an array, got %v", what, t)
	}
	for i := 0; c.dec.More(); i++ {
		if err := elem(i, c); err != nil {
			return err
		}
	}
	_, err = c.token(what)
	return err
}

func (c stdCursor) number(what string) (float64, error) {
	t, err := c.token(what)
	if err != nil {
		return 0, err
	}
	n, ok := t.(json.Number)
	if !ok {
		return 0, fmt.Errorf("%s: want a number, got %v", what, t)
	}
	v, err := strconv.ParseFloat(string(n), 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return v, nil
}

func (c stdCursor) str(what string) (string, error) {
	t, err := c.token(what)
	if err != nil {
		return "", err
	}
	s, ok := t.(string)
	if !ok {
		return "", fmt.Errorf("%s: want a string, got %v", what, t)
	}
	return s, nil
}

func (c stdCursor) boolOrNumber(what string) (bool, error) {
	t, err := c.token(what)
	if err != nil {
		return false, err
	}
	switch v := t.(type) {
	case bool:
		return v, nil
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return false, fmt.Errorf("%s: %w", what, err)
		}
		return f != 0, nil
	}
	return false, fmt.Errorf("%s: want a boolean or a number, got %v", what, t)
}

func (c stdCursor) skip() error {
	depth := 0
	for {
		t, err := c.token("value")
		if err != nil {
			return err
		}
		switch t {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

// ---- simdjson-go ----

// parseCOCOSimd reads a COCO document with simdjson-go (amd64 with AVX2 and CLMUL).
func parseCOCOSimd(data []byte) (doc *cocoDoc, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("simdjson: %v", r)
		}
	}()
	pj, err := simdjson.Parse(data, nil)
	if err != nil {
		return nil, err
	}
	it := pj.Iter()
	if it.Advance() != simdjson.TypeRoot {
		return nil, errors.New("no JSON document")
	}
	_, root, err := it.Root(nil)
	if err != nil {
		return nil, err
	}
	if it.Advance() != simdjson.TypeNone {
		return nil, errors.New("data after the JSON document")
	}
	return readCOCODoc(simdCursor{root})
}

type simdCursor struct{ it *simdjson.Iter }

func (c simdCursor) object(what string, field func(string, jsonCursor) error) error {
	if c.it.Type() != simdjson.TypeObject {
		return fmt.Errorf("%s: want an object, got %v", what, c.it.Type())
	}
	obj, err := c.it.Object(nil)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	var v simdjson.Iter
	for {
		key, t, err := obj.NextElement(&v)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if t == simdjson.TypeNone {
			return nil
		}
		if err := field(key, simdCursor{&v}); err != nil {
			return err
		}
	}
}

func (c simdCursor) array(what string, elem func(int, jsonCursor) error) error {
	if c.it.Type() != simdjson.TypeArray {
		return fmt.Errorf("%s: want an array, got %v", what, c.it.Type())
	}
	arr, err := c.it.Array(nil)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	ai := arr.Iter()
	for i := 0; ai.Advance() != simdjson.TypeNone; i++ {
		if err := elem(i, simdCursor{&ai}); err != nil {
			return err
		}
	}
	return nil
}

func (c simdCursor) number(what string) (float64, error) {
	switch c.it.Type() {
	case simdjson.TypeInt, simdjson.TypeUint, simdjson.TypeFloat:
		return c.it.Float()
	}
	return 0, fmt.Errorf("%s: want a number, got %v", what, c.it.Type())
}

func (c simdCursor) str(what string) (string, error) {
	if c.it.Type() != simdjson.TypeString {
		return "", fmt.Errorf("%s: want a string, got %v", what, c.it.Type())
	}
	return c.it.String()
}

func (c simdCursor) boolOrNumber(what string) (bool, error) {
	switch c.it.Type() {
	case simdjson.TypeBool:
		return c.it.Bool()
	case simdjson.TypeInt, simdjson.TypeUint, simdjson.TypeFloat:
		f, err := c.it.Float()
		return f != 0, err
	}
	return false, fmt.Errorf("%s: want a boolean or a number, got %v", what, c.it.Type())
}

func (c simdCursor) skip() error { return nil }
