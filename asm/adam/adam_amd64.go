//go:build amd64 && !purego

package adam

import "github.com/fastgo/fastgo/asm/cpu"

var (
	_ = register(cpu.AVX512, adamAVX512)
	_ = register(cpu.AVX2, adamAVX2)
)

// adamStepAVX512 is adamStepGeneric on 16 lanes at a time: len(p) must be a multiple of
// 16 and g, m, v at least as long.
//
//go:noescape
func adamStepAVX512(p, g, m, v []float32, c *Coeffs)

// adamStepAVX2 is adamStepGeneric on 8 lanes at a time: len(p) must be a multiple of 8
// and g, m, v at least as long.
//
//go:noescape
func adamStepAVX2(p, g, m, v []float32, c *Coeffs)

// adamAVX512 runs the AVX-512 kernel on whole vectors and the generic twin on the tail.
func adamAVX512(p, g, m, v []float32, c *Coeffs) {
	n := len(p) &^ 15
	adamStepAVX512(p[:n], g, m, v, c)
	adamStepGeneric(p[n:], g[n:], m[n:], v[n:], c)
}

// adamAVX2 runs the AVX2 kernel on whole vectors and the generic twin on the tail.
func adamAVX2(p, g, m, v []float32, c *Coeffs) {
	n := len(p) &^ 7
	adamStepAVX2(p[:n], g, m, v, c)
	adamStepGeneric(p[n:], g[n:], m[n:], v[n:], c)
}
