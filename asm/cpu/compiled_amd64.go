//go:build amd64 && !purego

package cpu

// compiled lists the non-generic paths this build carries kernels for.
var compiled = []ISA{AVX2, AVX512}
