package pth

import (
	"archive/zip"
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unsafe"
)

const (
	extraDir   = "fastgo/"              // folder of the fastgo records inside the archive
	metaRecord = extraDir + "meta.json" // StateDict.Meta
	align      = 64                     // record data alignment, as torch's writer uses
)

// validGroup reports whether g can name an Extra group (and so a record name).
func validGroup(g string) bool {
	if g == "" || g == "meta" || len(g) > 128 {
		return false
	}
	for _, c := range g {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// Write writes sd to w in torch's zip format under the archive folder "archive" (the
// name torch uses when saving to a buffer). Other is not written.
func Write(w io.Writer, sd *StateDict) error {
	if err := write(w, sd, "archive"); err != nil {
		return fmt.Errorf("pth: %w", err)
	}
	return nil
}

// Save writes sd to path atomically: into a temporary file in the same folder, synced,
// then renamed over path. The archive folder is named after the file, as torch.save
// does ("model" for model.pth).
func Save(path string, sd *StateDict) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("pth: save %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
			err = fmt.Errorf("pth: save %s: %w", path, err)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<20)
	if err = write(bw, sd, archiveName(base)); err != nil {
		return err
	}
	if err = bw.Flush(); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// archiveName derives the archive folder from a file name like torch: the base name
// without its extension; "archive" if that is empty or has unusual characters.
func archiveName(base string) string {
	name := strings.TrimSuffix(base, filepath.Ext(base))
	if name == "" || !validGroup(name) || strings.HasPrefix(name, ".") {
		return "archive"
	}
	return name
}

// write lays out the zip: data.pkl, byteorder, data/<key> for every tensor, the
// fastgo records, version.
func write(w io.Writer, sd *StateDict, archive string) error {
	if sd == nil {
		return errors.New("nil state dict")
	}
	if err := checkEntries("state dict", sd.Entries); err != nil {
		return err
	}
	groups := make([]string, 0, len(sd.Extra))
	for g, ts := range sd.Extra {
		if !validGroup(g) {
			return fmt.Errorf("extra group name %q: use letters, digits, '_', '-', '.' (not \"meta\")", g)
		}
		if err := checkEntries("extra group "+g, ts); err != nil {
			return err
		}
		groups = append(groups, g)
	}
	sort.Strings(groups)

	zw := &zipWriter{zw: zip.NewWriter(w), prefix: archive + "/"}
	next := 0
	keysFor := func(ts []Tensor) []string {
		keys := make([]string, len(ts))
		for i := range ts {
			keys[i] = strconv.Itoa(next)
			next++
		}
		return keys
	}
	keys := keysFor(sd.Entries)
	if err := zw.record("data.pkl", statePickle(sd.Entries, keys, sd.Versions)); err != nil {
		return err
	}
	if err := zw.record("byteorder", []byte("little")); err != nil {
		return err
	}
	if err := zw.storages(sd.Entries, keys); err != nil {
		return err
	}
	for _, g := range groups {
		ts := sd.Extra[g]
		keys := keysFor(ts)
		if err := zw.record(extraDir+g+".pkl", statePickle(ts, keys, nil)); err != nil {
			return err
		}
		if err := zw.storages(ts, keys); err != nil {
			return err
		}
	}
	if sd.Meta != nil {
		b, err := json.Marshal(sd.Meta)
		if err != nil {
			return err
		}
		if err := zw.record(metaRecord, b); err != nil {
			return err
		}
	}
	if err := zw.record("version", []byte("3\n")); err != nil {
		return err
	}
	return zw.zw.Close()
}

// checkEntries validates tensors before anything is written.
func checkEntries(what string, ts []Tensor) error {
	seen := map[string]bool{}
	for i := range ts {
		t := &ts[i]
		if err := t.Validate(); err != nil {
			return fmt.Errorf("%s entry %d: %w", what, i, err)
		}
		if seen[t.Name] {
			return fmt.Errorf("%s: duplicate entry name %q", what, t.Name)
		}
		seen[t.Name] = true
		if err := checkRange(t); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}

// checkRange checks that integer values fit t's dtype.
func checkRange(t *Tensor) error {
	var lo, hi int64
	switch t.DType {
	case Int32:
		lo, hi = math.MinInt32, math.MaxInt32
	case Int16:
		lo, hi = math.MinInt16, math.MaxInt16
	case Int8:
		lo, hi = math.MinInt8, math.MaxInt8
	case Uint8:
		lo, hi = 0, math.MaxUint8
	case Bool:
		lo, hi = 0, 1
	default:
		return nil
	}
	for i, v := range t.I64 {
		if v < lo || v > hi {
			return fmt.Errorf("tensor %q: value %d at %d does not fit %v", t.Name, v, i, t.DType)
		}
	}
	return nil
}

// zipWriter writes stored records with their data aligned to 64 bytes. It tracks the
// offset itself: every record is a local header, name, padding extra field and data,
// with no data descriptor.
type zipWriter struct {
	zw     *zip.Writer
	prefix string
	off    int64
}

func (z *zipWriter) record(name string, data []byte) error {
	name = z.prefix + name
	const headerLen = 30
	// Extra field 0x4246 ("FB", as torch writes) padding the data start to 64 bytes.
	pad := (align - (z.off+headerLen+int64(len(name))+4)%align) % align
	extra := make([]byte, 4+pad)
	binary.LittleEndian.PutUint16(extra, 0x4246)
	binary.LittleEndian.PutUint16(extra[2:], uint16(pad))
	for i := 4; i < len(extra); i++ {
		extra[i] = 'Z'
	}
	fh := &zip.FileHeader{
		Name:               name,
		Method:             zip.Store,
		CRC32:              crc32.ChecksumIEEE(data),
		CompressedSize64:   uint64(len(data)),
		UncompressedSize64: uint64(len(data)),
		Extra:              extra,
	}
	if int64(len(data)) >= math.MaxUint32 {
		return fmt.Errorf("record %s: %d bytes (4 GiB or more per tensor is not supported)", name, len(data))
	}
	rw, err := z.zw.CreateRaw(fh)
	if err != nil {
		return err
	}
	if _, err := rw.Write(data); err != nil {
		return err
	}
	z.off += headerLen + int64(len(name)) + int64(len(extra)) + int64(len(data))
	return nil
}

// storages writes each tensor's values as record data/<key>.
func (z *zipWriter) storages(ts []Tensor, keys []string) error {
	for i := range ts {
		if err := z.record("data/"+keys[i], encode(&ts[i])); err != nil {
			return err
		}
	}
	return nil
}

// hostLittleEndian reports whether this machine stores numbers little-endian, as .pth
// storages are (every GOARCH fastgo builds for does).
var hostLittleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// encode returns t's values as little-endian storage bytes of its dtype. On a
// little-endian machine a float32, float64 or int64 tensor's storage is its slice's own
// memory, which is returned without a copy (a checkpoint's 250 MB measured 0.3 s of
// conversion loop and fresh pages per save): the caller only reads it.
func encode(t *Tensor) []byte {
	n := t.Numel()
	if hostLittleEndian && n > 0 {
		switch t.DType {
		case Float32:
			return unsafe.Slice((*byte)(unsafe.Pointer(&t.F32[:n][0])), 4*n)
		case Float64:
			return unsafe.Slice((*byte)(unsafe.Pointer(&t.F64[:n][0])), 8*n)
		case Int64:
			return unsafe.Slice((*byte)(unsafe.Pointer(&t.I64[:n][0])), 8*n)
		}
	}
	return encodeCopy(t)
}

// encodeCopy is encode converting value by value into a new slice, on any machine.
func encodeCopy(t *Tensor) []byte {
	n := t.Numel()
	b := make([]byte, n*t.DType.Size())
	le := binary.LittleEndian
	switch t.DType {
	case Float32:
		for i, v := range t.F32 {
			le.PutUint32(b[4*i:], math.Float32bits(v))
		}
	case Float16:
		for i, v := range t.F32 {
			le.PutUint16(b[2*i:], float32ToHalf(v))
		}
	case BFloat16:
		for i, v := range t.F32 {
			le.PutUint16(b[2*i:], float32ToBFloat16(v))
		}
	case Float64:
		for i, v := range t.F64 {
			le.PutUint64(b[8*i:], math.Float64bits(v))
		}
	case Int64:
		for i, v := range t.I64 {
			le.PutUint64(b[8*i:], uint64(v))
		}
	case Int32:
		for i, v := range t.I64 {
			le.PutUint32(b[4*i:], uint32(v))
		}
	case Int16:
		for i, v := range t.I64 {
			le.PutUint16(b[2*i:], uint16(v))
		}
	default: // Int8, Uint8, Bool
		for i, v := range t.I64 {
			b[i] = byte(v)
		}
	}
	return b
}
