package gemm

import (
	"testing"

	"github.com/fastgo/fastgo/asm/cpu"
)

// TestSerialGemmAllocatesNothing checks that a GEMM on the calling goroutine (the
// convolutions' per-chunk products, thousands of them in a training step) allocates
// nothing once a workspace exists, on every path and in both precisions: garbage per
// call made fresh heap pages, each 4 KiB a page fault, and garbage-collection work.
func TestSerialGemmAllocatesNothing(t *testing.T) {
	const m, n, k = 40, 70, 90 // several tiles, edge tiles and an odd depth
	a, b, c := make([]float32, m*k), make([]float32, k*n), make([]float32, m*n)
	for i := range a {
		a[i] = float32(i%7) - 3
	}
	for i := range b {
		b[i] = float32(i%5) - 2
	}
	for _, isa := range cpu.Available() {
		restore, err := cpu.Use(isa)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name string
			run  func()
		}{
			{"SgemmSerial", func() { SgemmSerial(false, true, m, n, k, 1, a, k, b, k, 0, c, n) }},
			{"BF16Serial", func() { BF16Serial(false, true, m, n, k, 1, a, k, b, k, 0, c, n) }},
		} {
			tc.run() // the first call may make the workspace
			if got := testing.AllocsPerRun(20, tc.run); got != 0 {
				t.Errorf("%v %s: %v allocations per call, want 0", isa, tc.name, got)
			}
		}
		restore()
	}
}
