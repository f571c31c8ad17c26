package bench

import (
	"syscall"
	"time"
	"unsafe"
)

// threadCPUTime returns the CPU time used by the calling OS thread
// (CLOCK_THREAD_CPUTIME_ID): unlike wall time it leaves out the time the thread spent
// descheduled, which on a machine shared with other work is most of the noise.
func threadCPUTime() (time.Duration, bool) {
	const clockThreadCPUTimeID = 3
	var ts syscall.Timespec
	_, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	if errno != 0 {
		return 0, false
	}
	return time.Duration(ts.Nano()), true
}
