//go:build !linux

package functional

import "time"

// threadCPUTime is unavailable here: the tuning benchmarks fall back to wall time.
func threadCPUTime() (time.Duration, bool) { return 0, false }

// processCPUTime is unavailable here: the tuning benchmarks fall back to wall time.
func processCPUTime() (time.Duration, bool) { return 0, false }
