//go:build amd64 && !purego

package asm

// archLayerKernels returns the amd64 paths' batch-norm and pooling kernels.
func archLayerKernels(isa ISA) *layerKernels {
	switch isa {
	case AVX512:
		return avx512Layer
	case AVX2:
		return avx2Layer
	}
	return nil
}

var (
	avx512Layer = func() *layerKernels {
		k := *genericLayer
		k.maxPool3s2 = maxPool3s2AVX512
		return k.withBN(16, bnAVX512)
	}()
	avx2Layer = func() *layerKernels {
		k := *genericLayer
		k.maxPool3s2 = maxPool3s2AVX2
		return k.withBN(8, bnAVX2)
	}()
)
