package functional

import "sync"

// Scratch buffers (im2col columns, transposed weights, per-thread partial sums) are
// kept in a package-level free list and reused across calls: training repeats the same
// layer shapes thousands of times, and touching fresh pages costs about 12 µs per 4 KiB
// on the target machine, far more than the work done on them. Unlike a sync.Pool the
// list survives garbage collections. Its size is bounded by the largest scratch set the
// layers need at one time (a few column buffers per thread, see convColBudget).

const maxFreeScratch = 32

var scratch struct {
	mu    sync.Mutex
	free  [][]float32
	bytes int64
}

// getScratch returns a buffer of length n with unspecified contents.
func getScratch(n int) []float32 {
	scratch.mu.Lock()
	best := -1
	for i, b := range scratch.free {
		if cap(b) >= n && (best < 0 || cap(b) < cap(scratch.free[best])) {
			best = i
		}
	}
	if best >= 0 {
		b := scratch.free[best]
		last := len(scratch.free) - 1
		scratch.free[best] = scratch.free[last]
		scratch.free[last] = nil
		scratch.free = scratch.free[:last]
		scratch.mu.Unlock()
		return b[:n]
	}
	scratch.bytes += 4 * int64(n)
	scratch.mu.Unlock()
	return make([]float32, n)
}

// putScratch returns a buffer obtained from getScratch.
func putScratch(b []float32) {
	if cap(b) == 0 {
		return
	}
	scratch.mu.Lock()
	defer scratch.mu.Unlock()
	if len(scratch.free) < maxFreeScratch {
		scratch.free = append(scratch.free, b[:cap(b)])
		return
	}
	// Full: replace the smallest buffer if this one is larger, so the list keeps the
	// sizes the big layers need.
	small := 0
	for i, f := range scratch.free {
		if cap(f) < cap(scratch.free[small]) {
			small = i
		}
	}
	if cap(scratch.free[small]) < cap(b) {
		scratch.bytes -= 4 * int64(cap(scratch.free[small]))
		scratch.free[small] = b[:cap(b)]
	} else {
		scratch.bytes -= 4 * int64(cap(b))
	}
}

// ScratchBytes reports how many bytes of scratch buffers the package has allocated and
// not dropped; it stops growing once every layer shape has been seen.
func ScratchBytes() int64 {
	scratch.mu.Lock()
	defer scratch.mu.Unlock()
	return scratch.bytes
}

// DropScratch forgets the free scratch buffers so the garbage collector can return
// their memory (for example after training, before a long evaluation-only phase).
func DropScratch() {
	scratch.mu.Lock()
	defer scratch.mu.Unlock()
	for _, b := range scratch.free {
		scratch.bytes -= 4 * int64(cap(b))
	}
	scratch.free = nil
}
