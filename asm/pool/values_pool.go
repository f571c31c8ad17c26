package pool

import "sync"

// int32Pool hands out reusable []int32 buffers: a pooled one when it is large enough,
// else a new one.
type int32Pool struct{ pool sync.Pool }

// get returns a buffer of n elements.
func (p *int32Pool) get(n int) *[]int32 {
	if b, ok := p.pool.Get().(*[]int32); ok && cap(*b) >= n {
		*b = (*b)[:n]
		return b
	}
	b := make([]int32, n)
	return &b
}

// put returns a buffer from get to the pool.
func (p *int32Pool) put(b *[]int32) { p.pool.Put(b) }
