package gemm

import (
	"fmt"
	"sync"

	"github.com/fastgo/fastgo/asm/cpu"
)

// The bf16 GEMM with a pre-packed A and a B given by rows: what a convolution needs
// when it multiplies one weight matrix by many blocks of im2col columns. BF16
// rounds and packs A again in every call and every goroutine, and reads B from a
// float32 matrix, so a convolution first writes its whole im2col chunk in float32 and
// the packing then reads it back; here the weights are rounded and packed once
// (BF16PackedA.Pack, shared read-only by the goroutines) and B's rows are produced a few at
// a time into a small buffer, which stays in the L1 cache, and packed from there.

// BF16PackedA is alpha·op(A), m×k, rounded to bf16 and packed in the bf16 micro-kernels'
// layout for the SIMD path active when it was packed: its blocks of MC rows and 2·KC
// depths (as BF16 cuts them) one after the other, each laid out as bf16PackA
// writes it. Pack fills it; after that it is read-only, so goroutines may share it.
type BF16PackedA struct {
	g      *bf16Kernel
	m, k   int
	mc, kc int      // the row and depth block sizes
	off    []int    // start of block (row block i, depth block p) at off[i*nk+p]
	data   []uint32 // the packed blocks
}

// Pack rounds alpha·op(A) (m×k; A is lda-strided, transposed when transA) to bf16 and
// packs it for the active path, reusing the receiver's memory; a large A is packed on
// up to cpu.Threads() goroutines (the same bits).
func (p *BF16PackedA) Pack(transA bool, m, k int, alpha float32, a []float32, lda int) {
	if m < 0 || k < 0 {
		panic(fmt.Sprintf("gemm.BF16PackedA.Pack: negative size m=%d k=%d", m, k))
	}
	if transA {
		checkMat("A", k, m, a, lda)
	} else {
		checkMat("A", m, k, a, lda)
	}
	g := bf16Active()
	p.g, p.m, p.k = g, m, k
	p.mc = blocks(m, g.mc, g.mr)
	p.kc = blocks(k, 2*g.kc, 2)
	p.off = p.off[:0]
	n := 0
	for ic := 0; ic < m; ic += p.mc {
		rows := g.paddedRows(min(p.mc, m-ic))
		for pc := 0; pc < k; pc += p.kc {
			p.off = append(p.off, n)
			n += rows * ((min(p.kc, k-pc) + 1) / 2)
		}
	}
	p.data = grow(p.data, n)
	nk := ceilDiv(k, p.kc)
	blocks := len(p.off)
	pack := func(b0, b1 int) {
		for b := b0; b < b1; b++ {
			bi, bp := b/nk, b%nk
			ic, pc := bi*p.mc, bp*p.kc
			bf16PackA(g, p.data[p.off[b]:], transA, a, lda, ic, pc, min(p.mc, m-ic), min(p.kc, k-pc), alpha)
		}
	}
	nt := min(cpu.Threads(), blocks)
	if float64(m)*float64(k) < packParallelMin {
		nt = 1
	}
	if nt <= 1 {
		pack(0, blocks)
		return
	}
	// The blocks are near-equal (blocks balances them): each goroutine packs a run.
	var wg sync.WaitGroup
	wg.Add(nt - 1)
	for t := 1; t < nt; t++ {
		go func() {
			defer wg.Done()
			pack(blocks*t/nt, blocks*(t+1)/nt)
		}()
	}
	pack(0, blocks/nt)
	wg.Wait()
}

// packParallelMin is the fewest elements of A (m·k) that BF16PackedA.Pack splits
// between goroutines (cpu.Threads(), one run of blocks each): ResNet34's layer4
// weights (512×4608) are packed in every bf16 im2col convolution and its input
// gradient, between GEMMs that run on every thread; the Winograd filters (at most
// 256×256 each) are packed 16 at a time by the caller's goroutines. Tests lower it.
var packParallelMin = float64(1 << 18)

// Rows and Depth return the packed operand's m and k, as PackedA's do.
func (p *BF16PackedA) Rows() int  { return p.m }
func (p *BF16PackedA) Depth() int { return p.k }

// emptyProduct does C = A·B + beta·C (m×n, leading dimension ldc) when there is
// nothing to multiply — m or n zero (nothing to do) or k zero (C = beta·C) — after
// checking C's size, and reports whether it did: the packed products' common start.
func (p *BF16PackedA) emptyProduct(n int, beta float32, c []float32, ldc int) bool {
	if p.m == 0 || n == 0 {
		return true
	}
	checkMat("C", p.m, n, c, ldc)
	if p.k == 0 {
		scaleMatrix(p.m, n, beta, c, ldc)
		return true
	}
	return false
}

// BF16Rows writes rows [p0, p1) and columns [j0, j1) of a k×n matrix B into dst, row
// p−p0 starting at dst[(p−p0)·ld]; at most 8 rows are asked for at a time.
type BF16Rows func(dst []float32, ld, p0, p1, j0, j1 int)

// BF16PackedSerial computes C = A·B + beta·C on the calling goroutine, with A
// packed by Pack (m×k, alpha already folded in) and B (k×n) given by rows, rounded to
// bf16 as it is packed, exactly as BF16 rounds and sums (the result is BF16's
// for the same operands and blocking). C is m×n with leading dimension ldc.
func BF16PackedSerial(a *BF16PackedA, n int, rows BF16Rows, beta float32, c []float32, ldc int) {
	if a.emptyProduct(n, beta, c, ldc) {
		return
	}
	m := a.m
	g := a.g
	ws := g.getWorkspace()
	tmp := rowBufs.get(bf16RowGroup * g.nc)
	k := a.k
	nk := ceilDiv(k, a.kc)
	nc := blocks(n, g.nc, g.nr)
	// B's block is packed once and multiplied by every row block of A (A is packed
	// already, so the depth and column loops go outside the row loop).
	for bp, pc := 0, 0; pc < k; bp, pc = bp+1, pc+a.kc {
		kcb := min(a.kc, k-pc)
		kp := (kcb + 1) / 2
		bet := beta
		if pc > 0 {
			bet = 1
		}
		for jc := 0; jc < n; jc += nc {
			ncb := min(nc, n-jc)
			bf16PackRows(g, ws.b, *tmp, rows, pc, jc, kcb, ncb)
			for bi, ic := 0, 0; ic < m; bi, ic = bi+1, ic+a.mc {
				mcb := min(a.mc, m-ic)
				o := a.off[bi*nk+bp]
				g.macroKernel(ws, a.data[o:o+g.paddedRows(mcb)*kp], mcb, ncb, kp, bet, c[ic*ldc+jc:], ldc)
			}
		}
	}
	rowBufs.put(tmp)
	putWorkspace(ws)
}

// bf16RowGroup is the number of B rows produced per call: 4 depth pairs, so that
// one panel call converts several pairs and the buffer (8 rows of NC float32s, 24 KiB
// for AVX-512) stays in the L1 cache.
const bf16RowGroup = 8

// bf16PackRows packs depths [p0, p0+kc) and columns [j0, j0+nc) of B, produced by rows
// bf16RowGroup rows at a time into tmp, into dst as bf16PackB packs them.
func bf16PackRows(g *bf16Kernel, dst []uint32, tmp []float32, rows BF16Rows, p0, j0, kc, nc int) {
	nr, kp := g.nr, (kc+1)/2
	full := nc / nr
	w := nc - full*nr
	rw := 0
	if w > 0 {
		rw = g.panelWidth(w)
	}
	for p := 0; p < kc; p += bf16RowGroup {
		nrows := min(bf16RowGroup, kc-p)
		rows(tmp, nc, p0+p, p0+p+nrows, j0, j0+nc)
		if nrows%2 == 1 {
			clear(tmp[nrows*nc : (nrows+1)*nc])
			nrows++
		}
		q0 := p / 2
		if full > 0 {
			if g.panels != nil {
				g.panels(dst[q0*nr:], tmp, nc, nrows, full, nr, kp*nr)
			} else {
				bf16PanelsGeneric(dst[q0*nr:], tmp, nc, nrows, full, nr, kp*nr)
			}
		}
		if w > 0 {
			d := dst[full*kp*nr:]
			for q := 0; q < nrows/2; q++ {
				bf16PairRow(d[(q0+q)*rw:(q0+q)*rw+rw], tmp[2*q*nc+full*nr:2*q*nc+nc], tmp[(2*q+1)*nc:], full*nr, 1)
			}
		}
	}
}

// bufPool hands out reusable buffers of E: a pooled one when it is large enough, else a
// new one.
type bufPool[E float32 | uint32] struct{ pool sync.Pool }

// get returns a buffer of n elements.
func (p *bufPool[E]) get(n int) *[]E {
	if b, ok := p.pool.Get().(*[]E); ok && cap(*b) >= n {
		*b = (*b)[:n]
		return b
	}
	b := make([]E, n)
	return &b
}

// put returns a buffer from get to the pool.
func (p *bufPool[E]) put(b *[]E) { p.pool.Put(b) }

var (
	rowBufs  bufPool[float32] // rows of B produced for packing
	packBufs bufPool[uint32]  // packed operands larger than a workspace's Ã
)

// BF16RowsTSerial computes C = alpha·A·Bᵀ + beta·C on the calling goroutine, with
// A m×k (lda-strided, not transposed) and B n×k given by rows: rows(dst, ld, j0, j1,
// p0, p1) writes rows [j0, j1) of B (columns of C) and their depths [p0, p1). Both
// operands are rounded to bf16 as they are packed, as BF16(false, true, …) rounds
// them, and the products summed in float32. It is a convolution's weight gradient,
// dW = dY·Col(x)ᵀ, with the im2col rows made a few at a time into the L1 cache.
func BF16RowsTSerial(m, n, k int, alpha float32, a []float32, lda int, rows BF16Rows, beta float32, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm.BF16RowsTSerial: negative size m=%d n=%d k=%d", m, n, k))
	}
	checkMat("A", m, k, a, lda)
	checkMat("C", m, n, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if alpha == 0 || k == 0 {
		scaleMatrix(m, n, beta, c, ldc)
		return
	}
	g := bf16Active()
	ws := g.getWorkspace()
	tmp := rowBufs.get(8 * 2 * g.kc)
	kc := blocks(k, 2*g.kc, 2)
	mc := blocks(m, g.mc, g.mr)
	nc := blocks(n, g.nc, g.nr)
	// All of A's row blocks for a depth block are packed once, before the column
	// blocks: packing a row block inside the column-block loop, as bf16Blocked does,
	// repacked A for every NC columns of B (six times in ResNet34's layer4 3×3 weight
	// gradients: 512 output channels, two row blocks, 4608 columns).
	pa := ws.a
	var own *[]uint32
	if m > mc {
		own = packBufs.get(ceilDiv(m, mc) * mc * ((kc + 1) / 2))
		pa = *own
	}
	for pc := 0; pc < k; pc += kc {
		kcb := min(kc, k-pc)
		kp := (kcb + 1) / 2
		bet := beta
		if pc > 0 {
			bet = 1
		}
		for ic := 0; ic < m; ic += mc {
			bf16PackA(g, pa[ic*kp:], false, a, lda, ic, pc, min(mc, m-ic), kcb, alpha)
		}
		for jc := 0; jc < n; jc += nc {
			ncb := min(nc, n-jc)
			bf16PackRowsT(g, ws.b, *tmp, rows, pc, jc, kcb, ncb)
			for ic := 0; ic < m; ic += mc {
				mcb := min(mc, m-ic)
				g.macroKernel(ws, pa[ic*kp:], mcb, ncb, kp, bet, c[ic*ldc+jc:], ldc)
			}
		}
	}
	if own != nil {
		packBufs.put(own)
	}
	rowBufs.put(tmp)
	putWorkspace(ws)
}

// bf16PackRowsT packs depths [p0, p0+kc) and columns [j0, j0+nc) of op(B) = Bᵀ, B's
// rows [j0, j0+nc) produced by rows 8 at a time into tmp, into dst as bf16PackB packs
// a transposed B.
func bf16PackRowsT(g *bf16Kernel, dst []uint32, tmp []float32, rows BF16Rows, p0, j0, kc, nc int) {
	nr, kp := g.nr, (kc+1)/2
	for jp := 0; jp*nr < nc; jp++ {
		w := min(nr, nc-jp*nr)
		r := nr
		if w < nr {
			r = g.panelWidth(w)
		}
		d := dst[jp*kp*nr : jp*kp*nr+kp*r]
		for i := 0; i < w; i += 8 {
			h := min(8, w-i)
			j := j0 + jp*nr + i
			rows(tmp, kc, j, j+h, p0, p0+kc)
			done := 0
			if h == 8 && g.interleave8 != nil && kc >= 16 {
				g.interleave8(d[i:], tmp, kc, kc&^15, r)
				done = kc &^ 15
			}
			bf16InterleaveRows(d[i:], tmp, kc, done, kc, h, r, 1)
		}
		if w < r {
			for q := 0; q < kp; q++ {
				clear(d[q*r+w : q*r+r])
			}
		}
	}
}
