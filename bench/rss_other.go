//go:build !unix

package bench

// peakRSSMiB is unknown on this platform.
func peakRSSMiB() float64 { return 0 }

// processCounters is unknown on this platform.
func processCounters() (cpuSec float64, minorFaults int64, ok bool) { return 0, 0, false }
