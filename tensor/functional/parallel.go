package functional

import (
	"sync"
	"sync/atomic"

	"github.com/fastgo/fastgo/asm/cpu"
)

// minWorkPerThread is the smallest amount of work (floating-point operations, or bytes
// touched for memory-bound kernels) worth a goroutine of its own: starting one costs
// about a microsecond. Below it a call runs on the calling goroutine. Tests set it to 0
// to exercise the parallel paths on tiny shapes.
var minWorkPerThread = float64(1 << 18)

// threadsFor returns how many goroutines to use for work units of total size work that
// split into at most parts independent pieces: cpu.Threads(), fewer when the work is
// small or does not split that far, at least 1.
func threadsFor(work float64, parts int) int {
	t := cpu.Threads()
	if minWorkPerThread > 0 {
		if byWork := work / minWorkPerThread; byWork < float64(t) {
			t = int(byWork)
		}
	}
	if parts < t {
		t = parts
	}
	return max(t, 1)
}

// parallel runs fn(0) … fn(n-1) concurrently, fn(0) on the calling goroutine, and
// returns when all have finished.
func parallel(n int, fn func(i int)) {
	if n <= 1 {
		fn(0)
		return
	}
	var wg sync.WaitGroup
	wg.Add(n - 1)
	for i := 1; i < n; i++ {
		go func() {
			defer wg.Done()
			fn(i)
		}()
	}
	fn(0)
	wg.Wait()
}

// split returns the i-th of parts contiguous ranges of [0, total), as even as possible,
// with boundaries rounded to multiples of align (the last range takes the rest).
func split(total, parts, i, align int) (lo, hi int) {
	if align < 1 {
		align = 1
	}
	units := (total + align - 1) / align
	lo = min(units*i/parts*align, total)
	hi = min(units*(i+1)/parts*align, total)
	return lo, hi
}

// chunker hands out the chunks [i·size, min((i+1)·size, total)) of a range to goroutines
// on demand, so that a goroutine whose core is taken by another process for a while
// takes fewer chunks instead of holding up the others at the end.
type chunker struct {
	next        atomic.Int64
	size, total int
}

// newChunker splits [0, total) into chunks of at most maxSize (rounded up to a multiple
// of align), their number a multiple of nt, so that on an idle machine every goroutine
// takes the same share.
func newChunker(total, maxSize, align, nt int) *chunker {
	n := (total + maxSize - 1) / max(maxSize, 1)
	n = (n + nt - 1) / nt * nt
	size := (total + n - 1) / max(n, 1)
	size = (size + align - 1) / align * align
	return &chunker{size: max(size, 1), total: total}
}

// take returns the next chunk [lo, hi), or ok == false when none is left.
func (c *chunker) take() (lo, hi int, ok bool) {
	lo = int(c.next.Add(1)-1) * c.size
	if lo >= c.total {
		return 0, 0, false
	}
	return lo, min(lo+c.size, c.total), true
}
