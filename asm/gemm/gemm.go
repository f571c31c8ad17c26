package gemm

import (
	"fmt"

	"github.com/fastgo/fastgo/asm/cpu"
)

// Sgemm computes C = alpha·op(A)·op(B) + beta·C for row-major matrices, where op(X) is X
// or its transpose: op(A) is m×k, op(B) is k×n and C is m×n. lda, ldb and ldc are the
// distances between consecutive rows of the stored matrices. With beta == 0, C is
// written without being read, so NaNs already there do not propagate. It runs on up to
// cpu.Threads() goroutines.
func Sgemm(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, cpu.Threads())
}

// SgemmSerial is Sgemm on the calling goroutine only, for callers that already run
// several GEMMs in parallel.
func SgemmSerial(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int,
	b []float32, ldb int, beta float32, c []float32, ldc int) {
	checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, 1)
}

// checkGemm panics with the sizes named when a slice is too short for its matrix.
func checkGemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm.Sgemm: negative size m=%d n=%d k=%d", m, n, k))
	}
	ar, ac := m, k
	if transA {
		ar, ac = k, m
	}
	br, bc := k, n
	if transB {
		br, bc = n, k
	}
	checkMat("A", ar, ac, a, lda)
	checkMat("B", br, bc, b, ldb)
	checkMat("C", m, n, c, ldc)
}

func checkMat(name string, rows, cols int, x []float32, ld int) {
	if rows == 0 || cols == 0 {
		return
	}
	if ld < cols {
		panic(fmt.Sprintf("gemm.Sgemm: ld%s=%d < %d columns", name, ld, cols))
	}
	if need := (rows-1)*ld + cols; len(x) < need {
		panic(fmt.Sprintf("gemm.Sgemm: %s is %d×%d with ld %d and needs %d elements, has %d",
			name, rows, cols, ld, need, len(x)))
	}
}
