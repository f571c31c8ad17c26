package gemm

import "github.com/fastgo/fastgo/asm/cpu"

var (
	// kernels holds each path's fp32 GEMM kernel; arch files add theirs from
	// package-level var initialisers, so it is complete before init runs. A path
	// without its own runs the generic one. (The bf16 kernels have their own table,
	// bf16Kernels in gemm_bf16.go.)
	kernels = map[cpu.ISA]*gemmKernel{cpu.Generic: gemmGeneric}
	// cur is the installed path's GEMM kernel, the one Sgemm runs.
	cur *gemmKernel
)

// register adds a path's GEMM kernel.
func register(isa cpu.ISA, g *gemmKernel) bool {
	kernels[isa] = g
	return true
}

func init() { cpu.OnInstall(install) }

// install makes the path's kernel the one the public functions call; asm/cpu calls it
// at start-up and whenever cpu.Use switches paths.
func install(isa cpu.ISA) {
	g, ok := kernels[isa]
	if !ok {
		g = gemmGeneric
	}
	cur = g
}
