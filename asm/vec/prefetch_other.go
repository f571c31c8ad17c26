//go:build !amd64 || purego

package vec

// prefetch does nothing where there is no assembly prefetch.
func prefetch(x []float32) {}
