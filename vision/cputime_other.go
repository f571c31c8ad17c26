//go:build !unix

package vision

import "time"

// processCPU is not measured on this system: it reports 0.
func processCPU() time.Duration { return 0 }
