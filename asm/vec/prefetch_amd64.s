//go:build amd64 && !purego

#include "textflag.h"

// func prefetch(x []float32)
// for p := &x[0] rounded down to 64 bytes; p <= &x[len(x)-1]; p += 64 { PREFETCHT0 (p) }
TEXT ·prefetch(SB), NOSPLIT, $0-24
	MOVQ x_base+0(FP), SI        // SI = &x[0]
	MOVQ x_len+8(FP), CX
	LEAQ -4(SI)(CX*4), DI        // DI = &x[len(x)-1]
	ANDQ $-64, SI                // the first line
pf_loop:
	PREFETCHT0 (SI)
	ADDQ $64, SI
	CMPQ SI, DI
	JLE  pf_loop
	RET
