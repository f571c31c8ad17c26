//go:build !(amd64 || arm64) || purego

package cpu

// compiled lists the non-generic paths this build carries kernels for: none.
var compiled []ISA
