package functional

import (
	"sync"
	"unsafe"

	"github.com/fastgo/fastgo/asm/gemm"
)

// Scratch buffers (im2col columns, transposed weights, per-thread partial sums, max
// pooling keys and indices) are kept in package-level free lists and reused across
// calls: training repeats the same layer shapes thousands of times, and touching fresh
// pages costs about 12 µs per 4 KiB on the target machine, far more than the work done
// on them.
// Unlike a sync.Pool the lists survive garbage collections. Their size is bounded by
// the largest scratch set the layers need at one time (a column buffer or two per
// thread, see convColBudget) and by maxFreeScratch buffers per list.

const maxFreeScratch = 32

// freeList is a bounded list of reusable buffers of one element type.
type freeList[T any] struct {
	mu    sync.Mutex
	free  [][]T
	bytes int64 // bytes allocated and not dropped
}

var (
	scratch   freeList[float32]
	scratch64 freeList[int64]
	scratch32 freeList[int32]
)

// size returns the bytes per element.
func (l *freeList[T]) size() int64 { return int64(unsafe.Sizeof(*new(T))) }

// get returns a buffer of length n with unspecified contents: the smallest free one
// that is large enough, or a new one.
func (l *freeList[T]) get(n int) []T {
	l.mu.Lock()
	best := -1
	for i, b := range l.free {
		if cap(b) >= n && (best < 0 || cap(b) < cap(l.free[best])) {
			best = i
		}
	}
	if best >= 0 {
		b := l.free[best]
		last := len(l.free) - 1
		l.free[best] = l.free[last]
		l.free[last] = nil
		l.free = l.free[:last]
		l.mu.Unlock()
		return b[:n]
	}
	l.bytes += l.size() * int64(n)
	l.mu.Unlock()
	return make([]T, n)
}

// put returns a buffer obtained from get. When the list is full the smallest buffer is
// dropped, so the list keeps the sizes the big layers need.
func (l *freeList[T]) put(b []T) {
	if cap(b) == 0 {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.free) < maxFreeScratch {
		l.free = append(l.free, b[:cap(b)])
		return
	}
	small := 0
	for i, f := range l.free {
		if cap(f) < cap(l.free[small]) {
			small = i
		}
	}
	if cap(l.free[small]) < cap(b) {
		l.bytes -= l.size() * int64(cap(l.free[small]))
		l.free[small] = b[:cap(b)]
	} else {
		l.bytes -= l.size() * int64(cap(b))
	}
}

// packedFree holds the bf16 operands packed once per convolution call (weights,
// Winograd filters: gemm.BF16PackedA), by shape (m, k), so that each call reuses one of
// the same size. A sync.Pool handed out whichever one it had, whose buffer Pack then
// regrew when a smaller layer's was drawn for a larger one: 14 MB of fresh heap per
// ResNet34 bf16 training step (batch 64, 224 px), each 4 KiB of it a page fault.
// The lists hold at most as many operands per shape as a call uses at once (16 for
// the Winograd filters), survive garbage collections and are emptied by DropScratch.
var packedFree struct {
	sync.Mutex
	byShape map[[2]int][]*gemm.BF16PackedA
}

// getPacked returns a free packed operand last packed as m×k, or a new one; Pack
// sets its contents.
func getPacked(m, k int) *gemm.BF16PackedA {
	packedFree.Lock()
	defer packedFree.Unlock()
	l := packedFree.byShape[[2]int{m, k}]
	if n := len(l); n > 0 {
		p := l[n-1]
		l[n-1] = nil
		packedFree.byShape[[2]int{m, k}] = l[:n-1]
		return p
	}
	return new(gemm.BF16PackedA)
}

// putPacked returns an operand from getPacked, filed under the shape it holds.
func putPacked(p *gemm.BF16PackedA) {
	packedFree.Lock()
	defer packedFree.Unlock()
	if packedFree.byShape == nil {
		packedFree.byShape = map[[2]int][]*gemm.BF16PackedA{}
	}
	key := [2]int{p.Rows(), p.Depth()}
	packedFree.byShape[key] = append(packedFree.byShape[key], p)
}

// drop forgets the free buffers.
func (l *freeList[T]) drop() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, b := range l.free {
		l.bytes -= l.size() * int64(cap(b))
	}
	l.free = nil
}

func (l *freeList[T]) allocated() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.bytes
}

func getScratch(n int) []float32 { return scratch.get(n) }
func putScratch(b []float32)     { scratch.put(b) }

// ScratchBytes reports how many bytes of scratch buffers the package has allocated and
// not dropped; it stops growing once every layer shape has been seen.
func ScratchBytes() int64 {
	return scratch.allocated() + scratch64.allocated() + scratch32.allocated()
}

// DropScratch forgets the free scratch buffers so the garbage collector can return
// their memory (for example after training, before a long evaluation-only phase).
func DropScratch() {
	scratch.drop()
	scratch64.drop()
	scratch32.drop()
	packedFree.Lock()
	packedFree.byShape = nil
	packedFree.Unlock()
}
