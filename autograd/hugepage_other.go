//go:build !linux

package autograd

// mapHuge is unavailable here: huge-page pools allocate on the Go heap.
func mapHuge(n int) ([]float32, []byte) { return nil, nil }

// unmapHuge is never called where mapHuge maps nothing.
func unmapHuge(whole []byte) {}
