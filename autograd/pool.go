package autograd

import "sync"

// Pool keeps float32 buffers for reuse, keyed by length. Training repeats the same
// sequence of shapes every step, so after the first step every request is met from the
// pool: no fresh pages are touched and the memory stays mapped (the Go runtime returns
// only free memory to the OS, and pooled buffers are never free).
type Pool struct {
	mu    sync.Mutex
	free  map[int][][]float32
	ints  map[int][][]int32
	bytes int64 // total bytes ever allocated by the pool
}

// NewPool returns an empty pool.
func NewPool() *Pool { return &Pool{free: map[int][][]float32{}, ints: map[int][][]int32{}} }

// get returns a buffer of length n with unspecified contents.
func (p *Pool) get(n int) []float32 {
	p.mu.Lock()
	l := p.free[n]
	if k := len(l); k > 0 {
		b := l[k-1]
		p.free[n] = l[:k-1]
		p.mu.Unlock()
		return b
	}
	p.bytes += 4 * int64(n)
	p.mu.Unlock()
	return make([]float32, n)
}

// put returns a buffer to the pool.
func (p *Pool) put(b []float32) {
	if cap(b) == 0 {
		return
	}
	b = b[:cap(b)]
	p.mu.Lock()
	p.free[len(b)] = append(p.free[len(b)], b)
	p.mu.Unlock()
}

// getInts returns an int32 buffer of length n with unspecified contents.
func (p *Pool) getInts(n int) []int32 {
	p.mu.Lock()
	l := p.ints[n]
	if k := len(l); k > 0 {
		b := l[k-1]
		p.ints[n] = l[:k-1]
		p.mu.Unlock()
		return b
	}
	p.bytes += 4 * int64(n)
	p.mu.Unlock()
	return make([]int32, n)
}

// putInts returns an int32 buffer to the pool.
func (p *Pool) putInts(b []int32) {
	if cap(b) == 0 {
		return
	}
	b = b[:cap(b)]
	p.mu.Lock()
	p.ints[len(b)] = append(p.ints[len(b)], b)
	p.mu.Unlock()
}

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
	p.free = map[int][][]float32{}
	p.ints = map[int][][]int32{}
	p.bytes = 0
	p.mu.Unlock()
}
