//go:build !(amd64 || arm64) || purego

package asm

// archLayerKernels: builds without assembly have only the generic layer kernels.
func archLayerKernels(ISA) *layerKernels { return nil }
