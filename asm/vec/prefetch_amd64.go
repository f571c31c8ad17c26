//go:build amd64 && !purego

package vec

// prefetch issues PREFETCHT0 for every 64-byte line that holds part of x (len(x) > 0);
// prefetch_amd64.s.
//
//go:noescape
func prefetch(x []float32)
