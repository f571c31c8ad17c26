package pth

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

// Load reads the PyTorch file at path (zip or legacy format). Errors name the file.
func Load(path string) (*StateDict, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("pth: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("pth: %w", err)
	}
	sd, err := read(f, fi.Size())
	if err != nil {
		return nil, fmt.Errorf("pth: %s: %w", path, err)
	}
	return sd, nil
}

// Read reads a PyTorch file of size bytes from r (zip or legacy format).
func Read(r io.ReaderAt, size int64) (*StateDict, error) {
	sd, err := read(r, size)
	if err != nil {
		return nil, fmt.Errorf("pth: %w", err)
	}
	return sd, nil
}

func read(r io.ReaderAt, size int64) (*StateDict, error) {
	var head [512]byte
	n, _ := r.ReadAt(head[:], 0)
	h := head[:n]
	switch {
	case bytes.HasPrefix(h, []byte("PK\x03\x04")) || bytes.HasPrefix(h, []byte("PK\x05\x06")):
		return readZip(r, size)
	case len(h) >= 4 && h[0] == 0x80 && h[1] == 0x02 && h[2] == 0x8a:
		return readLegacy(r, size)
	case len(h) >= 262 && string(h[257:262]) == "ustar":
		return nil, errors.New("tar-format torch file (torch < 0.4) is not supported: re-save it with a recent torch")
	}
	if len(h) > 8 {
		h = h[:8]
	}
	return nil, fmt.Errorf("not a PyTorch file (starts with % x; want a zip or a legacy pickle)", h)
}

// zipArchive reads the records of a torch zip file.
type zipArchive struct {
	size    int64
	prefix  string // "<archive>/"
	files   map[string]*zip.File
	storage map[string][]byte // decoded root storages by key
}

func readZip(r io.ReaderAt, size int64) (*StateDict, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return nil, fmt.Errorf("bad zip: %w", err)
	}
	a := &zipArchive{size: size, files: map[string]*zip.File{}, storage: map[string][]byte{}}
	prefix, found := "", false
	for _, f := range zr.File {
		a.files[f.Name] = f
		if i := strings.IndexByte(f.Name, '/'); !found && i >= 0 && f.Name[i+1:] == "data.pkl" {
			prefix, found = f.Name[:i+1], true
		}
	}
	if !found {
		return nil, fmt.Errorf("zip has no <archive>/data.pkl record, so it is not a torch.save file (first records: %s)", firstNames(zr.File, 5))
	}
	a.prefix = prefix
	if a.files[prefix+"constants.pkl"] != nil || a.files[prefix+"code/"] != nil {
		return nil, errors.New("this is a TorchScript archive (torch.jit.save), not a state dict: save model.state_dict() with torch.save instead")
	}
	sd := &StateDict{}
	top, err := a.unpickle("data.pkl")
	if err != nil {
		return nil, err
	}
	if sd.Entries, sd.Other, err = flatten(top, a.load); err != nil {
		return nil, fmt.Errorf("%sdata.pkl: %w", prefix, err)
	}
	if sd.Versions, err = moduleVersions(top); err != nil {
		return nil, fmt.Errorf("%sdata.pkl: %w", prefix, err)
	}
	if err := a.readExtras(sd); err != nil {
		return nil, err
	}
	return sd, nil
}

// readExtras reads the fastgo records: fastgo/meta.json and fastgo/<group>.pkl.
func (a *zipArchive) readExtras(sd *StateDict) error {
	var groups []string
	for name := range a.files {
		rest, ok := strings.CutPrefix(name, a.prefix+extraDir)
		if g, isPkl := strings.CutSuffix(rest, ".pkl"); ok && isPkl && validGroup(g) {
			groups = append(groups, g)
		}
	}
	sort.Strings(groups)
	for _, g := range groups {
		rec := extraDir + g + ".pkl"
		top, err := a.unpickle(rec)
		if err != nil {
			return err
		}
		ts, _, err := flatten(top, a.load)
		if err != nil {
			return fmt.Errorf("%s%s: %w", a.prefix, rec, err)
		}
		if sd.Extra == nil {
			sd.Extra = map[string][]Tensor{}
		}
		sd.Extra[g] = ts
	}
	if f := a.files[a.prefix+metaRecord]; f != nil {
		b, err := a.record(f, 64<<20)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(b, &sd.Meta); err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
	}
	return nil
}

// unpickle runs the pickle of record rec (relative to the archive folder), resolving
// storage ids to records data/<key>.
func (a *zipArchive) unpickle(rec string) (any, error) {
	name := a.prefix + rec
	f := a.files[name]
	if f == nil {
		return nil, fmt.Errorf("missing record %s", name)
	}
	b, err := a.record(f, a.size)
	if err != nil {
		return nil, err
	}
	top, err := unpickle(newSource(bytes.NewReader(b), int64(len(b))), zipPersistentID)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return top, nil
}

// zipPersistentID resolves ('storage', torch.XStorage, key, location, numel).
func zipPersistentID(pid any) (any, error) {
	t, ok := pid.(pyTuple)
	if !ok || len(t) != 5 {
		return nil, fmt.Errorf("persistent id %s, want a 5-tuple ('storage', type, key, location, numel)", describePID(pid))
	}
	return storageFromPID(t)
}

// storageFromPID checks the first five fields of a storage persistent id.
func storageFromPID(t pyTuple) (*pyStorage, error) {
	if s, _ := t[0].(string); s != "storage" {
		return nil, fmt.Errorf("persistent id of kind %v, only 'storage' is allowed", t[0])
	}
	g, ok := t[1].(pyGlobal)
	if !ok || g.module != "torch" {
		return nil, fmt.Errorf("storage type is a %s, not a torch storage class", typeName(t[1]))
	}
	dt, ok := dtypeOfStorage(g.name)
	if !ok {
		return nil, fmt.Errorf("storage type torch.%s is not supported", g.name)
	}
	key, ok1 := t[2].(string)
	_, ok2 := t[3].(string)
	numel, ok3 := t[4].(int64)
	if !ok1 || !ok2 || !ok3 || numel < 0 || numel > 1<<50 {
		return nil, fmt.Errorf("storage id (%s, %s, %s) should be (key str, location str, numel int ≥ 0)", typeName(t[2]), typeName(t[3]), typeName(t[4]))
	}
	return &pyStorage{dtype: dt, key: key, numel: numel}, nil
}

func describePID(pid any) string {
	if t, ok := pid.(pyTuple); ok {
		return fmt.Sprintf("is a %d-tuple", len(t))
	}
	return "is a " + typeName(pid)
}

// load returns (and caches) the bytes of storage record data/<key>, checking that the
// record holds exactly numel elements.
func (a *zipArchive) load(st *pyStorage) ([]byte, error) {
	if b, ok := a.storage[st.key]; ok {
		if int64(len(b)) != st.numel*int64(st.dtype.Size()) {
			return nil, fmt.Errorf("storage %q is used as %d elements of %v and as %d bytes elsewhere", st.key, st.numel, st.dtype, len(b))
		}
		return b, nil
	}
	name := a.prefix + "data/" + st.key
	f := a.files[name]
	if f == nil {
		return nil, fmt.Errorf("missing storage record %s", name)
	}
	want := st.numel * int64(st.dtype.Size())
	if f.UncompressedSize64 != uint64(want) {
		return nil, fmt.Errorf("storage record %s has %d bytes, want %d (%d × %v)", name, f.UncompressedSize64, want, st.numel, st.dtype)
	}
	b, err := a.record(f, want)
	if err != nil {
		return nil, err
	}
	a.storage[st.key] = b
	return b, nil
}

// record reads a whole zip record of at most limit bytes, refusing sizes the archive
// cannot hold before allocating.
func (a *zipArchive) record(f *zip.File, limit int64) ([]byte, error) {
	n := f.UncompressedSize64
	if n > uint64(limit) {
		return nil, fmt.Errorf("record %s is too large (%d bytes)", f.Name, n)
	}
	switch f.Method {
	case zip.Store:
		if f.CompressedSize64 != n || n > uint64(a.size) {
			return nil, fmt.Errorf("record %s: stored size %d does not fit the %d-byte file", f.Name, n, a.size)
		}
	case zip.Deflate:
		if f.CompressedSize64 > uint64(a.size) || n > 1100*f.CompressedSize64+1024 {
			return nil, fmt.Errorf("record %s: implausible compressed size %d for %d bytes", f.Name, f.CompressedSize64, n)
		}
	default:
		return nil, fmt.Errorf("record %s: unsupported zip method %d", f.Name, f.Method)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("record %s: %w", f.Name, err)
	}
	defer rc.Close()
	b := make([]byte, n)
	if _, err := io.ReadFull(rc, b); err != nil {
		return nil, fmt.Errorf("record %s: %w", f.Name, err)
	}
	return b, nil
}

func firstNames(fs []*zip.File, n int) string {
	var names []string
	for i, f := range fs {
		if i == n {
			names = append(names, "...")
			break
		}
		names = append(names, f.Name)
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
