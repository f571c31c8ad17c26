package autograd

import "sync"

// Pool keeps float32 (and int32) buffers for reuse, keyed by length. Training repeats
// the same sequence of shapes every step, so after the first step every request is met
// from the pool: no fresh pages are touched and the memory stays mapped (the Go runtime
// returns only free memory to the OS, and pooled buffers are never free).
//
// A pool from ProcessPool also maps its large float buffers outside the Go heap on
// transparent huge pages (see ProcessPool).
type Pool struct {
	mu     sync.Mutex
	floats freeList[float32]
	ints   freeList[int32]
	bytes  int64 // total bytes ever allocated by the pool
	// mapped holds, for a huge-page pool, each mapped buffer's whole mapping by the
	// address of its first element; nil for an ordinary pool.
	mapped map[*float32][]byte
}

// freeList holds free buffers by length.
type freeList[T any] map[int][][]T

// take removes and returns a free buffer of length n, or nil.
func (f freeList[T]) take(n int) []T {
	l := f[n]
	if k := len(l); k > 0 {
		f[n] = l[:k-1]
		return l[k-1]
	}
	return nil
}

// NewPool returns an empty pool.
func NewPool() *Pool { return &Pool{floats: freeList[float32]{}, ints: freeList[int32]{}} }

// mappedMin is the size in bytes from which a huge-page pool maps a float buffer.
const mappedMin = 4 << 20

// processPool is the process's huge-page pool, made on first use.
var processPool = sync.OnceValue(newHugePool)

// newHugePool returns an empty pool that maps its large float buffers (ProcessPool).
func newHugePool() *Pool {
	p := NewPool()
	p.mapped = map[*float32][]byte{}
	return p
}

// ProcessPool returns the process-wide pool for training and benchmarks: on Linux its
// float buffers of 4 MiB and more are mapped outside the Go heap, 2 MiB-aligned and
// advised for transparent huge pages (madvise), which cuts the TLB misses of passes over
// activations tens of megabytes large (ResNet34's training step at 224 px, batch 64:
// 7% more images/s here); elsewhere it is an ordinary pool. Its memory is kept for the
// life of the process (Drop unmaps the free buffers), so learners that follow one another
// share it instead of each mapping its own.
func ProcessPool() *Pool { return processPool() }

// poolGet returns a buffer of length n from the list with unspecified contents, or a
// new one from alloc (called with the pool locked).
func poolGet[T any](p *Pool, l freeList[T], n int, alloc func(*Pool, int) []T) []T {
	p.mu.Lock()
	defer p.mu.Unlock()
	if b := l.take(n); b != nil {
		return b
	}
	p.bytes += 4 * int64(n)
	return alloc(p, n)
}

// poolPut returns a buffer to the list.
func poolPut[T any](p *Pool, l freeList[T], b []T) {
	if cap(b) == 0 {
		return
	}
	b = b[:cap(b)]
	p.mu.Lock()
	l[len(b)] = append(l[len(b)], b)
	p.mu.Unlock()
}

// newFloats makes a float buffer; a huge-page pool maps those of mappedMin bytes and more.
func (p *Pool) newFloats(n int) []float32 {
	if p.mapped != nil && 4*n >= mappedMin {
		if b, whole := mapHuge(n); b != nil {
			p.mapped[&b[0]] = whole
			return b
		}
	}
	return make([]float32, n)
}

func (p *Pool) get(n int) []float32   { return poolGet(p, p.floats, n, (*Pool).newFloats) }
func (p *Pool) put(b []float32)       { poolPut(p, p.floats, b) }
func (p *Pool) getInts(n int) []int32 { return poolGet(p, p.ints, n, newInts) }
func (p *Pool) putInts(b []int32)     { poolPut(p, p.ints, b) }

func newInts(_ *Pool, n int) []int32 { return make([]int32, n) }

// Tunables of getFit.
const (
	// fitMin is the fewest floats for which getFit looks past the exact length.
	fitMin = 64 << 10
	// fitRatio is the most a buffer getFit hands out may exceed the length asked for.
	fitRatio = 16
)

// getFit is get, except that when no free buffer has length n it hands out the
// shortest free one up to fitRatio times longer (for n ≥ fitMin floats) instead of
// making one; the caller slices it to n and gives the whole buffer back. An evaluation
// pass takes its buffers with it: its activations shrink stage after stage, each stage
// fits in the buffers the one before it freed, and ResNet34's pass at 224 px, batch 64,
// holds about 3 layer1 activations in all instead of 3 of every stage's size. A
// training graph keeps get's exact lengths: it repeats the same requests every step and
// gets each one's own buffer back, where a shorter request taking a longer buffer
// would make the longer request that follows allocate again.
func (p *Pool) getFit(n int) []float32 {
	if n < fitMin {
		return p.get(n)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if b := p.floats.take(n); b != nil {
		return b
	}
	best := 0
	for l, bs := range p.floats {
		if l > n && l <= fitRatio*n && len(bs) > 0 && (best == 0 || l < best) {
			best = l
		}
	}
	if best > 0 {
		return p.floats.take(best)
	}
	p.bytes += 4 * int64(n)
	return p.newFloats(n)
}

// AllocatedBytes reports how many bytes of buffers the pool has ever created; it stops
// growing once training reaches a steady state.
func (p *Pool) AllocatedBytes() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.bytes
}

// Drop forgets every free buffer, letting the garbage collector return the memory
// (and unmapping a huge-page pool's mapped ones). Buffers still in use are unaffected.
func (p *Pool) Drop() {
	p.mu.Lock()
	for _, l := range p.floats {
		for _, b := range l {
			if whole, ok := p.mapped[&b[0]]; ok {
				delete(p.mapped, &b[0])
				unmapHuge(whole)
			}
		}
	}
	p.floats, p.ints = freeList[float32]{}, freeList[int32]{}
	p.bytes = 0
	p.mu.Unlock()
}
