package bench

import (
	"time"

	"golang.org/x/sys/unix"
)

// threadCPUTime returns the CPU time used by the calling OS thread
// (CLOCK_THREAD_CPUTIME_ID): unlike wall time it leaves out the time the thread spent
// descheduled, which on a machine shared with other work is most of the noise.
func threadCPUTime() (time.Duration, bool) {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}
