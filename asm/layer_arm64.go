//go:build arm64 && !purego

package asm

// archLayerKernels returns the arm64 path's batch-norm and pooling kernels: NEON has
// none of its own yet, so it uses the generic ones.
func archLayerKernels(ISA) *layerKernels { return nil }
