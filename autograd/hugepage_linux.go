//go:build linux

package autograd

import (
	"syscall"
	"unsafe"
)

// hugePage is the size of an x86-64 and arm64 transparent huge page.
const hugePage = 2 << 20

// mapHuge maps n float32s of zeroed memory starting on a 2 MiB boundary, advised for
// transparent huge pages, and returns them with the whole mapping (for unmapHuge); nil
// if the kernel refuses the mapping. Advice the kernel refuses (THP disabled) leaves
// ordinary pages, which work the same.
func mapHuge(n int) ([]float32, []byte) {
	size := 4 * n
	whole, err := syscall.Mmap(-1, 0, size+hugePage, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_PRIVATE|syscall.MAP_ANON)
	if err != nil {
		return nil, nil
	}
	off := 0
	if r := uintptr(unsafe.Pointer(&whole[0])) % hugePage; r != 0 {
		off = int(hugePage - r)
	}
	b := whole[off : off+size]
	_ = syscall.Madvise(b, syscall.MADV_HUGEPAGE)
	return unsafe.Slice((*float32)(unsafe.Pointer(&b[0])), n), whole
}

// unmapHuge releases a mapping made by mapHuge.
func unmapHuge(whole []byte) { _ = syscall.Munmap(whole) }
