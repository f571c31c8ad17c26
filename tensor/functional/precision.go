package functional

import (
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/fastgo/fastgo/asm/gemm"
)

// Precision is the arithmetic of the convolutions and linear layers: their forward
// pass and both gradients (input and weight). Everything else — batch norm and its
// statistics, the activations it computes on, the loss, the optimiser and the master
// weights it updates — is float32 in every precision.
type Precision int32

const (
	// FP32 multiplies float32 operands with float32 accumulation (gemm.Sgemm).
	FP32 Precision = iota
	// BF16 rounds both operands of every convolution and linear GEMM (weights,
	// activations, output gradients) to bfloat16, nearest even, and accumulates the
	// products in float32 (gemm.BF16), as PyTorch's CPU autocast to bfloat16 does for
	// these layers. The rounding happens while the GEMM packs its operands, so weights
	// are rounded each time they are packed; outputs and gradients are float32. A
	// training graph stores the activations it keeps only as GEMM operands or ReLU
	// masks in bf16 once the forward has consumed them (autograd.Graph.Free).
	BF16
)

// String returns the name ParsePrecision accepts.
func (p Precision) String() string {
	switch p {
	case FP32:
		return "fp32"
	case BF16:
		return "bf16"
	}
	return fmt.Sprintf("Precision(%d)", int32(p))
}

// MarshalText writes the name, so that JSON shows "fp32" or "bf16".
func (p Precision) MarshalText() ([]byte, error) { return []byte(p.String()), nil }

// UnmarshalText reads a name ParsePrecision accepts.
func (p *Precision) UnmarshalText(b []byte) error {
	v, err := ParsePrecision(string(b))
	*p = v
	return err
}

// ParsePrecision turns "fp32" or "bf16" into a Precision.
func ParsePrecision(s string) (Precision, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "fp32", "float32", "":
		return FP32, nil
	case "bf16", "bfloat16":
		return BF16, nil
	}
	return FP32, fmt.Errorf("unknown precision %q (want fp32 or bf16)", s)
}

// CheckPrecision reports why p cannot run on this CPU's instructions, or nil. BF16
// needs AVX512_BF16 (amd64) or FEAT_BF16 (arm64) and a SIMD path with bf16 kernels
// (not FASTGO_SIMD=generic or avx2). Commands call it before SetPrecision so that
// -precision bf16 is an error there instead of a silent run on the slow Go twin.
func CheckPrecision(p Precision) error {
	switch p {
	case FP32:
		return nil
	case BF16:
		return gemm.BF16Err()
	}
	return fmt.Errorf("unknown precision %v", p)
}

var precision atomic.Int32

// SetPrecision sets the precision of every later convolution and linear layer in the
// process and returns the previous one. It does not check the CPU (see CheckPrecision):
// without bf16 instructions BF16 runs on asm's Go twin, which rounds the same way,
// which tests use; it is slow.
func SetPrecision(p Precision) Precision { return Precision(precision.Swap(int32(p))) }

// CurrentPrecision reports the precision set by SetPrecision (FP32 by default).
func CurrentPrecision() Precision { return Precision(precision.Load()) }

// matmul is gemm.Sgemm, or gemm.BF16 in BF16 precision.
func matmul(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	if CurrentPrecision() == BF16 {
		gemm.BF16(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}

// matmulSerial is gemm.SgemmSerial, or gemm.BF16Serial in BF16 precision.
func matmulSerial(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	if CurrentPrecision() == BF16 {
		gemm.BF16Serial(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
		return
	}
	gemm.SgemmSerial(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
}
