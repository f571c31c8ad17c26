package asm

import "github.com/fastgo/fastgo/asm/cpu"

// kernelSet is one path's table of kernels. The public functions call through the
// installed set, chosen once at start-up, never through a per-element branch.
type kernelSet struct {
	gemm         *gemmKernel
	axpy         func(alpha float32, x, y []float32)
	scale        func(alpha float32, x []float32)
	add          func(dst, a, b []float32)
	mul          func(dst, a, b []float32)
	relu         func(dst, src []float32)
	reluBackward func(dst, dy, y []float32)
	sum          func(x []float32) float32
	max          func(x []float32) float32
	dot          func(x, y []float32) float32
}

var (
	registry = map[cpu.ISA]*kernelSet{}
	cur      *kernelSet
)

// register adds a path's kernels; arch files call it from package-level var
// initialisers so the registry is complete before init runs.
func register(isa cpu.ISA, k *kernelSet) bool {
	registry[isa] = k
	return true
}

func init() { cpu.OnInstall(install) }

// install makes the path's kernels the ones the public API calls; asm/cpu calls it at
// start-up and whenever cpu.Use switches paths.
func install(isa cpu.ISA) {
	k, ok := registry[isa]
	if !ok {
		k = registry[cpu.Generic]
	}
	cur = k
}

// genericKernels is the pure-Go path: the fallback everywhere and the twin every
// assembly kernel is tested against.
var genericKernels = &kernelSet{
	gemm:         gemmGeneric,
	axpy:         axpyGeneric,
	scale:        scaleGeneric,
	add:          addGeneric,
	mul:          mulGeneric,
	relu:         reluGeneric,
	reluBackward: reluBackwardGeneric,
	sum:          sumGeneric,
	max:          maxGeneric,
	dot:          dotGeneric,
}

var _ = register(cpu.Generic, genericKernels)

// withGemm returns a copy of the vector kernels vec with g as its GEMM.
func withGemm(vec kernelSet, g *gemmKernel) *kernelSet {
	vec.gemm = g
	return &vec
}
