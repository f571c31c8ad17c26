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
	k.maxPool3s2 = maxPool3s2Row4
	return k.withBN(4, bnNEON)
}()
