package autograd

import "sync"

// Pool keeps float32 (and int32) buffers for reuse, keyed by length. Training repeats
// the same sequence of shapes every step, so after the first step every request is met
// from the pool: no fresh pages are touched and the memory stays mapped (the Go runtime
// returns only free memory to the OS, and pooled buffers are never free).
type Pool struct {
	mu     sync.Mutex
	floats freeList[float32]
	ints   freeList[int32]
	bytes  int64 // total bytes ever allocated by the pool
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

// poolGet returns a buffer of length n from the list with unspecified contents.
func poolGet[T any](p *Pool, l freeList[T], n int) []T {
	p.mu.Lock()
	defer p.mu.Unlock()
	if b := l.take(n); b != nil {
		return b
	}
	p.bytes += 4 * int64(n)
	return make([]T, n)
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

func (p *Pool) get(n int) []float32   { return poolGet(p, p.floats, n) }
func (p *Pool) put(b []float32)       { poolPut(p, p.floats, b) }
func (p *Pool) getInts(n int) []int32 { return poolGet(p, p.ints, n) }
func (p *Pool) putInts(b []int32)     { poolPut(p, p.ints, b) }

// AllocatedBytes reports how many bytes of buffers the pool has ever created; it stops
// growing once training reaches a steady state.
func (p *Pool) AllocatedBytes() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.bytes
}

// Drop forgets every free buffer, letting the garbage collector return the memory.
func (p *Pool) Drop() {
	p.mu.Lock()
	p.floats, p.ints = freeList[float32]{}, freeList[int32]{}
	p.bytes = 0
	p.mu.Unlock()
}
