package vec

import "github.com/fastgo/fastgo/asm/cpu"

// kernelSet is one path's table of vector kernels. The public functions call through
// the installed set, chosen once at start-up, never through a per-element branch.
type kernelSet struct {
	axpy         func(alpha float32, x, y []float32)
	scale        func(alpha float32, x []float32)
	add          func(dst, a, b []float32)
	mul          func(dst, a, b []float32)
	relu         func(dst, src []float32)
	reluBackward func(dst, dy, y []float32)
	deinterleave func(even, odd, src []float32) // Deinterleave2
	sum          func(x []float32) float32
	max          func(x []float32) float32
	dot          func(x, y []float32) float32
}

var (
	// kernels holds each path's kernels; arch files add theirs from package-level var
	// initialisers, so it is complete before init runs. A path without its own runs
	// the generic twins.
	kernels = map[cpu.ISA]*kernelSet{cpu.Generic: genericKernels}
	cur     *kernelSet
)

// register adds a path's kernels.
func register(isa cpu.ISA, k *kernelSet) bool {
	kernels[isa] = k
	return true
}

func init() { cpu.OnInstall(install) }

// install makes the path's kernels the ones the public functions call; asm/cpu calls
// it at start-up and whenever cpu.Use switches paths.
func install(isa cpu.ISA) {
	k, ok := kernels[isa]
	if !ok {
		k = genericKernels
	}
	cur = k
}

// genericKernels is the pure-Go path: the fallback everywhere and the twin every
// assembly kernel is tested against.
var genericKernels = &kernelSet{
	axpy:         axpyGeneric,
	scale:        scaleGeneric,
	add:          addGeneric,
	mul:          mulGeneric,
	relu:         reluGeneric,
	reluBackward: reluBackwardGeneric,
	deinterleave: deinterleave2Generic,
	sum:          sumGeneric,
	max:          maxGeneric,
	dot:          dotGeneric,
}
