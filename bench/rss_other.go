//go:build !unix

package bench

// peakRSSMiB is unknown on this platform.
func peakRSSMiB() float64 { return 0 }
