//go:build arm64 && !purego

package asm

// archLayerKernels returns the arm64 path's batch-norm and pooling kernels.
func archLayerKernels(isa ISA) *layerKernels {
	if isa == NEON {
		return neonLayer
	}
	return nil
}

var neonLayer = func() *layerKernels {
	k := *genericLayer
	return k.withBN(4, bnNEON)
}()
