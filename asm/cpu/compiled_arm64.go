//go:build arm64 && !purego

package cpu

// compiled lists the non-generic paths this build carries kernels for.
var compiled = []ISA{NEON}
