//go:build !unix

package vision

import "time"

// cpuTime is not measured on this system.
func cpuTime() time.Duration { return 0 }
