package functional

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestIm2colPhasePlanes checks that im2col on the phase planes (deintPlane, then
// im2colPhase) gives im2colGeneral's column matrix on the plain image, value for
// value, for blocks of rows and columns of strided geometries: ResNet's stem, 3×3
// stride-2 and 1×1 stride-2 layers at even and odd sizes, stride 3, unequal strides,
// dilation, padding wider than the kernel's half, and single-pixel images; every
// element is written (the buffer starts NaN). The geometries the form does not cover
// (phased false) are checked to keep the column-deinterleaved image, and those whose
// planes are the column matrix itself (phasedDirect) to be exactly that.
func TestIm2colPhasePlanes(t *testing.T) {
	type cs struct {
		x, w []int
		p    Conv2dParams
	}
	p := func(sh, sw, ph, pw, dh, dw int) Conv2dParams {
		return Conv2dParams{Stride: [2]int{sh, sw}, Pad: [2]int{ph, pw}, Dilation: [2]int{dh, dw}}
	}
	cases := []cs{
		{[]int{3, 2, 32, 32}, []int{4, 3, 7, 7}, ConvOpts(2, 3)}, // the stem
		{[]int{3, 1, 31, 29}, []int{4, 3, 7, 7}, ConvOpts(2, 3)}, // odd sizes
		{[]int{5, 3, 14, 14}, []int{6, 5, 3, 3}, ConvOpts(2, 1)}, // 3×3 stride 2
		{[]int{5, 2, 7, 7}, []int{6, 5, 3, 3}, ConvOpts(2, 1)},   // odd
		{[]int{4, 3, 14, 14}, []int{8, 4, 1, 1}, ConvOpts(2, 0)}, // 1×1 stride 2
		{[]int{4, 2, 13, 9}, []int{3, 4, 1, 1}, ConvOpts(2, 0)},  // odd
		{[]int{3, 2, 14, 13}, []int{2, 3, 1, 1}, ConvOpts(2, 1)}, // padded 1×1: the odd phase only
		{[]int{2, 2, 11, 10}, []int{3, 2, 5, 4}, p(3, 2, 2, 1, 1, 1)},
		{[]int{2, 2, 12, 12}, []int{3, 2, 3, 3}, p(2, 3, 2, 3, 2, 1)}, // dilation, wide padding
		{[]int{3, 2, 1, 1}, []int{2, 3, 3, 3}, ConvOpts(2, 1)},        // one pixel
		{[]int{3, 2, 2, 2}, []int{2, 3, 2, 2}, ConvOpts(2, 0)},
		{[]int{2, 1, 9, 9}, []int{2, 2, 3, 3}, p(2, 2, 0, 0, 1, 1)}, // no padding: not phased
	}
	rng := rand.New(rand.NewPCG(8, 9))
	for _, c := range cases {
		g, err := newConvGeom(c.x, c.w, c.p)
		if err != nil {
			t.Fatalf("%v %v %+v: %v", c.x, c.w, c.p, err)
		}
		x := randT(rng, c.x...).Data()
		if !g.phased() {
			if g.sh*g.ho >= g.h && g.sw*g.wo >= g.w {
				t.Fatalf("%v %v %+v: phase planes cover the image but are not used", c.x, c.w, c.p)
			}
			continue
		}
		d := make([]float32, deintSize(&g))
		for i := range d {
			d[i] = float32(math.NaN()) // every value im2col reads must be written
		}
		hw := g.h * g.w
		for q := 0; q < g.cin*g.n; q++ {
			deintPlane(d, &g, q/g.n, q%g.n, x[q*hw:(q+1)*hw])
		}
		if g.phasedDirect() { // the planes are the column matrix (convForwardIm2col's direct GEMM)
			want := make([]float32, g.k*g.p)
			im2colGeneral(want, g.p, x, &g, 0, g.k, 0, g.p, false)
			for i, v := range want {
				if math.Float32bits(d[i]) != math.Float32bits(v) {
					t.Fatalf("%v %v %+v: phase planes at %d = %v, column matrix %v", c.x, c.w, c.p, i, d[i], v)
				}
			}
		}
		for _, blk := range [][4]int{{0, g.k, 0, g.p}, {1, g.k, 3 % g.p, g.p}, {g.k / 2, g.k/2 + 1, 0, (g.p + 1) / 2}, {0, g.k, g.p - 1, g.p}} {
			k0, k1, p0, p1 := blk[0], blk[1], blk[2], blk[3]
			want := make([]float32, (k1-k0)*(p1-p0))
			im2colGeneral(want, p1-p0, x, &g, k0, k1, p0, p1, false)
			got := make([]float32, len(want))
			for i := range got {
				got[i] = float32(math.NaN())
			}
			im2col(got, p1-p0, d, &g, k0, k1, p0, p1, true)
			for i := range got {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("%v %v %+v block %v: col[%d,%d] = %v, want %v", c.x, c.w, c.p, blk,
						k0+i/(p1-p0), p0+i%(p1-p0), got[i], want[i])
				}
			}
		}
	}
}

// TestSplit2 checks the even/odd split of a row against a strided gather, for rows of
// even and odd length and outputs shorter than the row's phases.
func TestSplit2(t *testing.T) {
	for _, w := range []int{1, 2, 5, 8, 57} {
		row := make([]float32, w)
		for i := range row {
			row[i] = float32(i + 1)
		}
		for _, n := range []int{(w + 1) / 2, w/2 + 2, max(w/2-1, 0)} {
			even, odd := make([]float32, n), make([]float32, n)
			for i := range even {
				even[i], odd[i] = -1, -1
			}
			split2(even, odd, row)
			for j := 0; j < n; j++ {
				we, wo := float32(0), float32(0)
				if 2*j < w {
					we = row[2*j]
				}
				if 2*j+1 < w {
					wo = row[2*j+1]
				}
				if even[j] != we || odd[j] != wo {
					t.Fatalf("w %d n %d: j %d: (%v, %v), want (%v, %v)", w, n, j, even[j], odd[j], we, wo)
				}
			}
		}
	}
}
