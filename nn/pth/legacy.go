package pth

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/big"
)

// legacyMagic is the first pickle of a legacy (pre-zip) torch file.
var legacyMagic, _ = new(big.Int).SetString("1950a86a20f9469cfc6c", 16)

// readLegacy reads the pre-zip format of torch.save (torch < 1.6, and
// _use_new_zipfile_serialization=False), as in torchvision's resnet34-333f7ec4.pth: five
// pickles in a row (magic number, protocol version 1001, sys_info, the object, the list
// of storage keys), then each storage as an int64 element count and its raw bytes.
func readLegacy(r io.ReaderAt, size int64) (*StateDict, error) {
	src := newSource(io.NewSectionReader(r, 0, size), size)
	next := func(what string, persistent func(any) (any, error)) (any, error) {
		at := src.pos
		v, err := unpickle(src, persistent)
		if err != nil {
			return nil, fmt.Errorf("legacy torch file, %s pickle at byte %d: %w", what, at, err)
		}
		return v, nil
	}
	magic, err := next("magic number", nil)
	if err != nil {
		return nil, err
	}
	if m, ok := magic.(pyBigInt); !ok || m.v.Cmp(legacyMagic) != 0 {
		return nil, fmt.Errorf("legacy torch file: bad magic number %v", magic)
	}
	proto, err := next("protocol version", nil)
	if err != nil {
		return nil, err
	}
	if proto != int64(1001) {
		return nil, fmt.Errorf("legacy torch file: protocol version %v, want 1001", proto)
	}
	info, err := next("sys_info", nil)
	if err != nil {
		return nil, err
	}
	if d, ok := info.(*pyDict); ok {
		if le, ok := d.get("little_endian"); ok && le != true {
			return nil, fmt.Errorf("legacy torch file written on a big-endian machine is not supported")
		}
	}

	// Storages by root key; views (view_metadata) point into a root with an offset.
	roots := map[string]*pyStorage{}
	persistent := func(pid any) (any, error) {
		t, ok := pid.(pyTuple)
		if !ok || len(t) != 6 {
			return nil, fmt.Errorf("persistent id %s, want a 6-tuple ('storage', type, key, location, numel, view_metadata)", describePID(pid))
		}
		st, err := storageFromPID(t[:5])
		if err != nil {
			return nil, err
		}
		if prev, ok := roots[st.key]; ok && (prev.dtype != st.dtype || prev.numel != st.numel) {
			return nil, fmt.Errorf("storage %q declared twice with different type or size", st.key)
		}
		roots[st.key] = st
		switch vm := t[5].(type) {
		case pyNone:
			return st, nil
		case pyTuple: // (view_key, offset, view_size)
			if len(vm) != 3 {
				return nil, fmt.Errorf("storage view metadata has %d fields, want 3", len(vm))
			}
			off, ok1 := vm[1].(int64)
			n, ok2 := vm[2].(int64)
			if !ok1 || !ok2 || off < 0 || n < 0 || off > st.numel || n > st.numel-off {
				return nil, fmt.Errorf("storage view (%v, %v) does not fit its %d-element storage %q", vm[1], vm[2], st.numel, st.key)
			}
			return &pyStorage{dtype: st.dtype, key: st.key, numel: n, offset: off}, nil
		}
		return nil, fmt.Errorf("storage view metadata is a %s", typeName(t[5]))
	}
	top, err := next("state dict", persistent)
	if err != nil {
		return nil, err
	}
	keysV, err := next("storage keys", nil)
	if err != nil {
		return nil, err
	}
	keys, ok := keysV.(*pyList)
	if !ok {
		return nil, fmt.Errorf("legacy torch file: storage key list is a %s", typeName(keysV))
	}
	data := map[string][]byte{}
	for _, kv := range keys.items {
		key, ok := kv.(string)
		if !ok {
			return nil, fmt.Errorf("legacy torch file: storage key is a %s", typeName(kv))
		}
		st := roots[key]
		if st == nil {
			return nil, fmt.Errorf("legacy torch file: storage %q is listed but no tensor uses it", key)
		}
		at := src.pos
		hdr, err := src.bytes(8)
		if err != nil {
			return nil, fmt.Errorf("legacy torch file: storage %q at byte %d: %w", key, at, err)
		}
		n := int64(binary.LittleEndian.Uint64(hdr))
		if n != st.numel {
			return nil, fmt.Errorf("legacy torch file: storage %q at byte %d has %d elements, its id says %d", key, at, n, st.numel)
		}
		b, err := src.bytes(n * int64(st.dtype.Size()))
		if err != nil {
			return nil, fmt.Errorf("legacy torch file: storage %q at byte %d: %w", key, at, err)
		}
		data[key] = b
	}
	load := func(st *pyStorage) ([]byte, error) {
		b, ok := data[st.key]
		if !ok {
			return nil, fmt.Errorf("legacy torch file: storage %q has no data", st.key)
		}
		return b, nil
	}
	sd := &StateDict{}
	if sd.Entries, sd.Other, err = flatten(top, load); err != nil {
		return nil, fmt.Errorf("legacy torch file: %w", err)
	}
	if sd.Versions, err = moduleVersions(top); err != nil {
		return nil, fmt.Errorf("legacy torch file: %w", err)
	}
	return sd, nil
}
