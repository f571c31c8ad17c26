package bn

import "github.com/fastgo/fastgo/asm/cpu"

var (
	// kernels holds each path's kernels; arch files add theirs from package-level var
	// initialisers, so it is complete before init runs. A path without its own runs
	// the generic twins.
	kernels = map[cpu.ISA]*layerKernels{cpu.Generic: genericLayer}
	cur     *layerKernels
)

func init() { cpu.OnInstall(install) }

// install makes the path's kernels the ones the public functions call.
func install(isa cpu.ISA) {
	k, ok := kernels[isa]
	if !ok {
		k = genericLayer
	}
	cur = k
	installBF16(isa)
}

// register adds a path's kernels.
func register(isa cpu.ISA, k *layerKernels) bool {
	kernels[isa] = k
	return true
}

// layerKernels is one path's batch-norm kernels (bn.go). A path without its own version of a kernel uses the generic twin.
type layerKernels struct {
	bnStats        func(x []float32, shift float32) (s1, s2 float32)
	bnApply        func(dst, x []float32, a, b float32)
	bnApplyReLU    func(dst, x []float32, a, b float32)
	bnApplyAddReLU func(dst, x, res []float32, a, b float32)
	bnGradSums     func(dy, x []float32, mean float32) (sdy, sdyx float32)
	bnGradSumsReLU func(dy, y, x []float32, mean float32) (sdy, sdyx float32)
	bnGrad         func(dx, dy, x []float32, a, b, c float32)
	bnGradReLU     func(dx, dres, dy, y, x []float32, a, b, c float32)
}

// genericLayer is the pure-Go path's layer kernels.
var genericLayer = &layerKernels{
	bnStats:        bnStatsGeneric,
	bnApply:        bnApplyGeneric,
	bnApplyReLU:    bnApplyReLUGeneric,
	bnApplyAddReLU: bnApplyAddReLUGeneric,
	bnGradSums:     bnGradSumsGeneric,
	bnGradSumsReLU: bnGradSumsReLUGeneric,
	bnGrad:         bnGradGeneric,
	bnGradReLU:     bnGradReLUGeneric,
}

// asmLayer returns the layer kernels of an assembly path: its batch-norm
// stubs s for the part of each call that is a multiple of width (see withBN), and the
// generic twins for the rest.
func asmLayer(width int, s bnStubs) *layerKernels {
	k := *genericLayer
	return k.withBN(width, s)
}
