//go:build !linux

package bench

import "time"

// threadCPUTime is not available on this system; timings use wall time.
func threadCPUTime() (time.Duration, bool) { return 0, false }
