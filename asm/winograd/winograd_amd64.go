//go:build amd64 && !purego

package winograd

import "github.com/fastgo/fastgo/asm/cpu"

// The AVX-512 and AVX2 Winograd transforms (winograd_avx512_amd64.s,
// winograd_avx2_amd64.s). Their Go loops are winoInputF4Generic and
// winoOutputF4Generic; they compute the same sums with fused multiply-adds.

//go:noescape
func winoInputF4AVX512(dst []float32, dstStride int, src []float32, rowStride, phaseStride, tiles int)

//go:noescape
func winoOutputF4AVX512(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, acc bool)

//go:noescape
func winoInputF4AVX2(dst []float32, dstStride int, src []float32, rowStride, phaseStride, tiles int)

//go:noescape
func winoOutputF4AVX2(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, acc bool)

// winoOutputGradF4AVX512 is winoOutputGradF4Generic in AVX-512
// (winograd_grad_avx512_amd64.s); AVX2 keeps the Go twin.
//
//go:noescape
func winoOutputGradF4AVX512(dst []float32, dstStride int, src []float32, ldy, rows, cols, tiles int)

// winoPhaseRowAVX512 is phaseRowGeneric in AVX-512 (phase_avx512_amd64.s); AVX2
// keeps the Go twin.
//
//go:noescape
func winoPhaseRowAVX512(dst []float32, phaseStride, cnt int, src []float32, pad int)

// winoOutputF4ReLUAVX512 is winoOutputF4ReLUGeneric in AVX-512 (winograd_avx512_amd64.s);
// AVX2 runs its OutputF4 and a Go pass for the residual and ReLU.
//
//go:noescape
func winoOutputF4ReLUAVX512(dst []float32, ldy, rows, cols int, src []float32, srcStride, tiles int, bias float32, res []float32)

var _ = func() bool {
	winoByISA[cpu.AVX512] = &winoKernels{inputF4: winoInputF4AVX512, outputF4: winoOutputF4AVX512,
		outputGradF4: winoOutputGradF4AVX512, phaseRow: winoPhaseRowAVX512,
		outputF4ReLU: winoOutputF4ReLUAVX512}
	winoByISA[cpu.AVX2] = &winoKernels{inputF4: winoInputF4AVX2, outputF4: winoOutputF4AVX2}
	return true
}()
