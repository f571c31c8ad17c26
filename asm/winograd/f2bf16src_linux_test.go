package winograd

import (
	"math/rand/v2"
	"syscall"
	"testing"
	"unsafe"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/internal/kerneltest"
)

// pageEnd returns n elements of size bytes each that end exactly where an inaccessible
// page begins, so that any access past them faults, and a function that unmaps them.
func pageEnd(t *testing.T, n, size int) (unsafe.Pointer, func()) {
	page := syscall.Getpagesize()
	span := (n*size + page - 1) / page * page
	mem, err := syscall.Mmap(-1, 0, span+page, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Skipf("mmap: %v", err)
	}
	if err := syscall.Mprotect(mem[span:], syscall.PROT_NONE); err != nil {
		syscall.Munmap(mem)
		t.Skipf("mprotect: %v", err)
	}
	return unsafe.Pointer(&mem[span-n*size]), func() { syscall.Munmap(mem) }
}

// TestInputF2BF16PageEnd runs InputF2BF16 with its source plane and its destination
// each ending at an inaccessible page, for every lane tail of the last block: the
// masked loads and stores must not touch a byte past the slices (a fault fails the
// test), and the result is the Go twin's.
func TestInputF2BF16PageEnd(t *testing.T) {
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(29, uint64(isa)))
		for tiles := 1; tiles <= 33; tiles++ {
			const tileRows = 2
			rs := 2*tiles + 2
			bits, wide := bf16Plane(rng, (2*tileRows+1)*rs+2*tiles+2)
			n := tileRows * tiles
			dstLen := 15*n + n
			sp, freeSrc := pageEnd(t, len(bits), 2)
			dp, freeDst := pageEnd(t, dstLen, 4)
			src := unsafe.Slice((*uint16)(sp), len(bits))
			dst := unsafe.Slice((*float32)(dp), dstLen)
			copy(src, bits)
			InputF2BF16(dst, n, src, rs, tiles, tileRows)
			twin := make([]float32, dstLen)
			winoInputF2Generic(twin, n, wide, rs, tiles, tileRows)
			for i := range twin {
				if !sameBits(dst[i], twin[i]) {
					freeSrc()
					freeDst()
					t.Fatalf("%v, %d×%d tiles: dst[%d] = %v, the Go twin gives %v", isa, tileRows, tiles, i, dst[i], twin[i])
				}
			}
			freeSrc()
			freeDst()
		}
	})
}

// TestInputF2PairsRowsPageEnd runs InputF2PairsRows with padRight on sources that end
// at an inaccessible page right after the last column read (the masked padding column
// lies past it): a fault fails the test, and the pairs are the Go twin's (but for NaN
// signs).
func TestInputF2PairsRowsPageEnd(t *testing.T) {
	kerneltest.ForEachISA(t, func(t *testing.T, isa cpu.ISA) {
		rng := rand.New(rand.NewPCG(43, uint64(isa)))
		for tiles := 1; tiles <= 33; tiles++ {
			const tileRows = 2
			rowStride := 2 * tiles
			n := (2*tileRows+1)*rowStride + 2*tiles + 1 // padRight: column 2·tiles + 1 is not read
			p0, free0 := pageEnd(t, n, 4)
			p1, free1 := pageEnd(t, n, 4)
			src0, src1 := unsafe.Slice((*float32)(p0), n), unsafe.Slice((*float32)(p1), n)
			copy(src0, pairsPlane(rng, n))
			copy(src1, pairsPlane(rng, n))
			dst := make([]uint32, 16*tileRows*tiles)
			twin := make([]uint32, len(dst))
			InputF2PairsRows(dst, tileRows*tiles, src0, src1, rowStride, tiles, tileRows, true, true)
			winoInputF2PairsRowsGeneric(twin, tileRows*tiles, src0, src1, rowStride, tiles, tileRows, true, true)
			free0()
			free1()
			for i := range dst {
				if !samePair(dst[i], twin[i]) {
					t.Fatalf("%v, %d×%d tiles: word %d = %#08x, the Go twin gives %#08x", isa, tileRows, tiles, i, dst[i], twin[i])
				}
			}
		}
	})
}
