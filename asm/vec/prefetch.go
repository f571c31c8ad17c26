package vec

// Prefetch asks the CPU to bring the cache lines of x into the cache ahead of use (a
// hint: it changes no value and never faults). Kernels that walk many short, far-apart
// runs of memory (a convolution reading or writing one channel plane after another)
// call it for the next run while working on the current one, where the hardware
// prefetcher would only catch on after several misses of each run. It issues
// PREFETCHT0 for each 64-byte line on amd64 (on every path: it is not a SIMD kernel)
// and does nothing elsewhere or under the purego tag.
func Prefetch(x []float32) {
	if len(x) == 0 {
		return
	}
	prefetch(x)
}
