package tensor

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
)

// The .npy format (NumPy's single-array file): magic "\x93NUMPY", a version, a header
// length, a Python-dict header naming dtype, order and shape, then the raw data. Reading
// accepts versions 1–3, little-endian float32, float64, int64, int32 and uint8 in C order;
// writing produces version 1 float32 or float64.

var npyMagic = []byte("\x93NUMPY")

// npyHeader is the decoded header of a .npy stream.
type npyHeader struct {
	descr string
	shape []int
}

func readNPYHeader(r io.Reader) (npyHeader, error) {
	var h npyHeader
	pre := make([]byte, 8)
	if _, err := io.ReadFull(r, pre); err != nil {
		return h, fmt.Errorf("reading magic: %w", err)
	}
	if string(pre[:6]) != string(npyMagic) {
		return h, errors.New("not a .npy file (bad magic)")
	}
	var hlen int
	switch pre[6] {
	case 1:
		var b [2]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return h, fmt.Errorf("reading header length: %w", err)
		}
		hlen = int(binary.LittleEndian.Uint16(b[:]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return h, fmt.Errorf("reading header length: %w", err)
		}
		hlen = int(binary.LittleEndian.Uint32(b[:]))
		if hlen > 1<<20 {
			return h, fmt.Errorf("header length %d is implausible", hlen)
		}
	default:
		return h, fmt.Errorf("unsupported .npy version %d.%d", pre[6], pre[7])
	}
	hb := make([]byte, hlen)
	if _, err := io.ReadFull(r, hb); err != nil {
		return h, fmt.Errorf("reading header: %w", err)
	}
	hs := string(hb)
	descr, err := npyField(hs, "descr")
	if err != nil {
		return h, err
	}
	h.descr = strings.Trim(descr, "'\" ")
	fo, err := npyField(hs, "fortran_order")
	if err != nil {
		return h, err
	}
	if strings.TrimSpace(fo) != "False" {
		return h, errors.New("field fortran_order: only C order is supported")
	}
	sh, err := npyField(hs, "shape")
	if err != nil {
		return h, err
	}
	sh = strings.TrimSpace(sh)
	if !strings.HasPrefix(sh, "(") || !strings.HasSuffix(sh, ")") {
		return h, fmt.Errorf("field shape: %q is not a tuple", sh)
	}
	h.shape = []int{}
	for _, p := range strings.Split(sh[1:len(sh)-1], ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		d, err := strconv.Atoi(strings.TrimSuffix(p, "L"))
		if err != nil || d < 0 {
			return h, fmt.Errorf("field shape: bad dimension %q", p)
		}
		h.shape = append(h.shape, d)
	}
	return h, nil
}

// npyField extracts the raw text of one key's value from a header dict.
func npyField(hs, key string) (string, error) {
	i := strings.Index(hs, "'"+key+"'")
	if i < 0 {
		return "", fmt.Errorf("header has no field %q", key)
	}
	rest := hs[i+len(key)+2:]
	j := strings.Index(rest, ":")
	if j < 0 {
		return "", fmt.Errorf("field %q: missing ':'", key)
	}
	rest = rest[j+1:]
	depth := 0
	for k, c := range rest {
		switch c {
		case '(':
			depth++
		case ')':
			depth--
		case ',', '}':
			if depth == 0 {
				return strings.TrimSpace(rest[:k]), nil
			}
		}
	}
	return "", fmt.Errorf("field %q: unterminated value", key)
}

// maxNPYElems bounds the element count a .npy header may claim (16 Gi elements, or what
// an int holds on 32-bit platforms), so that a corrupt header cannot ask for absurd memory.
const maxNPYElems = int(min(uint64(math.MaxInt), 1<<34))

func elemCount(shape []int) (int, error) {
	n := 1
	for _, d := range shape {
		if d != 0 && n > maxNPYElems/d {
			return 0, fmt.Errorf("shape %v is too large", shape)
		}
		n *= d
	}
	return n, nil
}

// readNPYValues reads the data section as float64 values, whatever the stored type.
func readNPYValues(r io.Reader, h npyHeader, put func(i int, v float64)) error {
	n, err := elemCount(h.shape)
	if err != nil {
		return err
	}
	var size int
	switch h.descr {
	case "<f4", "<i4":
		size = 4
	case "<f8", "<i8":
		size = 8
	case "|u1", "<u1", "|b1":
		size = 1
	default:
		return fmt.Errorf("field descr: unsupported dtype %q (want <f4, <f8, <i8, <i4 or |u1)", h.descr)
	}
	br := bufio.NewReaderSize(r, 1<<16)
	buf := make([]byte, size)
	for i := 0; i < n; i++ {
		if _, err := io.ReadFull(br, buf); err != nil {
			return fmt.Errorf("data ends after %d of %d elements: %w", i, n, err)
		}
		var v float64
		switch h.descr {
		case "<f4":
			v = float64(math.Float32frombits(binary.LittleEndian.Uint32(buf)))
		case "<i4":
			v = float64(int32(binary.LittleEndian.Uint32(buf)))
		case "<f8":
			v = math.Float64frombits(binary.LittleEndian.Uint64(buf))
		case "<i8":
			v = float64(int64(binary.LittleEndian.Uint64(buf)))
		default:
			v = float64(buf[0])
		}
		put(i, v)
	}
	return nil
}

// ReadNPY reads a .npy stream as a float32 tensor (other numeric types are converted).
func ReadNPY(r io.Reader) (*Tensor, error) {
	h, err := readNPYHeader(r)
	if err != nil {
		return nil, err
	}
	n, err := elemCount(h.shape)
	if err != nil {
		return nil, err
	}
	data := make([]float32, n)
	if err := readNPYValues(r, h, func(i int, v float64) { data[i] = float32(v) }); err != nil {
		return nil, err
	}
	return FromData(data, h.shape...), nil
}

// ReadNPY64 reads a .npy stream as float64 values and its shape.
func ReadNPY64(r io.Reader) ([]float64, []int, error) {
	h, err := readNPYHeader(r)
	if err != nil {
		return nil, nil, err
	}
	n, err := elemCount(h.shape)
	if err != nil {
		return nil, nil, err
	}
	data := make([]float64, n)
	if err := readNPYValues(r, h, func(i int, v float64) { data[i] = v }); err != nil {
		return nil, nil, err
	}
	return data, h.shape, nil
}

// LoadNPY reads a .npy file as a float32 tensor; errors name the file.
func LoadNPY(path string) (*Tensor, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	t, err := ReadNPY(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// LoadNPY64 reads a .npy file as float64 values and its shape; errors name the file.
func LoadNPY64(path string) ([]float64, []int, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	d, s, err := ReadNPY64(f)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, s, nil
}

func writeNPYHeader(w io.Writer, descr string, shape []int) error {
	dims := make([]string, len(shape))
	for i, d := range shape {
		dims[i] = strconv.Itoa(d)
	}
	sh := strings.Join(dims, ", ")
	if len(shape) == 1 {
		sh += ","
	}
	hdr := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': (%s), }", descr, sh)
	// Pad with spaces so that magic+version+len+header+newline is a multiple of 64.
	total := 6 + 2 + 2 + len(hdr) + 1
	hdr += strings.Repeat(" ", (64-total%64)%64) + "\n"
	if len(hdr) > math.MaxUint16 {
		return errors.New("npy header too long")
	}
	b := append([]byte{}, npyMagic...)
	b = append(b, 1, 0)
	b = binary.LittleEndian.AppendUint16(b, uint16(len(hdr)))
	b = append(b, hdr...)
	_, err := w.Write(b)
	return err
}

// WriteNPY writes t as a version-1 float32 .npy stream.
func WriteNPY(w io.Writer, t *Tensor) error {
	if err := writeNPYHeader(w, "<f4", t.shape); err != nil {
		return err
	}
	buf := make([]byte, 4*len(t.data))
	for i, v := range t.data {
		binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
	}
	_, err := w.Write(buf)
	return err
}

// WriteNPY64 writes float64 values of the given shape as a version-1 .npy stream.
func WriteNPY64(w io.Writer, data []float64, shape []int) error {
	if n, _ := elemCount(shape); n != len(data) {
		return fmt.Errorf("tensor.WriteNPY64: %d values for shape %v", len(data), shape)
	}
	if err := writeNPYHeader(w, "<f8", shape); err != nil {
		return err
	}
	buf := make([]byte, 8*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(buf[8*i:], math.Float64bits(v))
	}
	_, err := w.Write(buf)
	return err
}

// SaveNPY writes t to a float32 .npy file.
func SaveNPY(path string, t *Tensor) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := WriteNPY(f, t); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}

// SaveNPY64 writes float64 values of the given shape to a .npy file.
func SaveNPY64(path string, data []float64, shape []int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := WriteNPY64(f, data, shape); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	return f.Close()
}
