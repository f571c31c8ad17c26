package vision

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// CSVOptions say how to read a table in the shape of fastai's
// ImageDataLoaders.from_df (SPEC §1.1). Column options take a header name or a 0-based
// position written in decimal; DefaultCSV gives fastai's defaults.
type CSVOptions struct {
	FnameCol   string // image file name column (fastai fn_col=0)
	LabelCol   string // label column (fastai label_col=1)
	LabelDelim string // label separator (fastai label_delim=' '); "" = one label per row
	ValidCol   string // validation flag column (fastai valid_col='is_valid'); "" = none
	// ValidPct > 0 with no ValidCol splits the rows at random (fastai's from_df with
	// valid_col=None: RandomSplitter(valid_pct, seed)); 0 keeps every row for training.
	ValidPct float64
	Seed     uint64
	Folder   string // image folder, relative to the CSV's directory unless absolute
	Suffix   string // appended to each file name (fastai suff)
	SkipBad  bool   // skip (and report) bad rows and missing images instead of failing
}

// DefaultCSV returns the options of the VOC recipe: fname,labels,is_valid with
// space-separated labels and images in train/.
func DefaultCSV() CSVOptions {
	return CSVOptions{FnameCol: "0", LabelCol: "1", LabelDelim: " ", ValidCol: "is_valid", Folder: "train"}
}

// Record is one image of a source table: its file name, its labels in file order and
// its split.
type Record struct {
	Fname   string
	Labels  []string
	IsValid bool
	Source  string // where it came from, e.g. "train.csv line 13"
}

// BadItem is an input that was skipped (SkipBad) or that stopped the run.
type BadItem struct {
	Source string // file and row, e.g. "train.csv line 13" or "valid.json images[7]"
	Path   string // the image file, when known
	Err    error
}

func (b BadItem) Error() string {
	if b.Path != "" {
		return fmt.Sprintf("%s (%s): %v", b.Source, b.Path, b.Err)
	}
	return fmt.Sprintf("%s: %v", b.Source, b.Err)
}

func (b BadItem) Unwrap() error { return b.Err }

// columnIndex resolves a column option against the header.
func columnIndex(opt string, header []string, what string) (int, error) {
	if n, err := strconv.Atoi(opt); err == nil {
		if n < 0 || n >= len(header) {
			return 0, fmt.Errorf("%s column %d out of range: the header has %d columns", what, n, len(header))
		}
		return n, nil
	}
	if i := slices.Index(header, opt); i >= 0 {
		return i, nil
	}
	return 0, fmt.Errorf("%s column %q not in the header %q", what, opt, header)
}

// parseValid reads an is_valid cell: True/False in any case (pandas' booleans) or 1/0.
func parseValid(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1":
		return true, nil
	case "false", "0":
		return false, nil
	}
	return false, fmt.Errorf("unknown is_valid value %q (want True, False, 1 or 0)", s)
}

// splitLabels splits a label cell like fastai's ColReader (str.split(delim), empty cell
// → no labels). Empty pieces from doubled delimiters are dropped rather than becoming
// a class named "" as in Python.
func splitLabels(s, delim string) []string {
	if s == "" {
		return nil
	}
	if delim == "" {
		return []string{s}
	}
	var out []string
	for _, p := range strings.Split(s, delim) {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ReadCSV reads a from_df table from r; name (the file name) is used in messages. The
// first row is the header. A bad row (wrong number of fields, empty file name, unknown
// is_valid value) stops reading with an error naming name and the line, or, with
// o.SkipBad, is skipped and returned among the bad items.
func ReadCSV(r io.Reader, name string, o CSVOptions) ([]Record, []BadItem, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1 // checked here, so that SkipBad can skip such rows
	header, err := cr.Read()
	if err == io.EOF {
		return nil, nil, fmt.Errorf("%s: empty file, want a header row", name)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff") // a UTF-8 byte-order mark, as pandas
	}
	fi, err := columnIndex(o.FnameCol, header, "file name")
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	li, err := columnIndex(o.LabelCol, header, "label")
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	vi := -1
	if o.ValidCol != "" {
		if vi, err = columnIndex(o.ValidCol, header, "valid"); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", name, err)
		}
	}
	var recs []Record
	var bad []BadItem
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		var src string
		if err == nil {
			line, _ := cr.FieldPos(0)
			src = fmt.Sprintf("%s line %d", name, line)
		}
		var rowErr error
		var rec Record
		var perr *csv.ParseError
		switch {
		case errors.As(err, &perr):
			// A quoting error: encoding/csv resynchronises at the next line.
			src, rowErr = fmt.Sprintf("%s line %d", name, perr.StartLine), perr.Err
		case err != nil:
			return nil, bad, fmt.Errorf("%s: %w", name, err)
		case len(row) != len(header):
			rowErr = fmt.Errorf("%d fields, the header has %d", len(row), len(header))
		case strings.TrimSpace(row[fi]) == "":
			rowErr = errors.New("empty file name")
		default:
			rec = Record{Fname: row[fi] + o.Suffix, Labels: splitLabels(row[li], o.LabelDelim), Source: src}
			if vi >= 0 {
				rec.IsValid, rowErr = parseValid(row[vi])
			}
		}
		if rowErr != nil {
			b := BadItem{Source: src, Err: rowErr}
			if !o.SkipBad {
				return nil, bad, b
			}
			bad = append(bad, b)
			continue
		}
		recs = append(recs, rec)
	}
	return recs, bad, nil
}
