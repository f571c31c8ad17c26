//go:build !(amd64 || arm64) || purego

package gemm

// bf16CPU reports false: this build has no bf16 assembly kernels.
func bf16CPU() bool { return false }
