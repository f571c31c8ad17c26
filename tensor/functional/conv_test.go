package functional

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/tensor"
)

// convCases are the fixture configurations of testdata/gen_layers.py.
var convCases = []struct {
	name string
	p    Conv2dParams
	bias bool
}{
	{"conv3x3_s1p1_bias", ConvOpts(1, 1), true},
	{"conv3x3_s2p1", ConvOpts(2, 1), false},
	{"conv3x3_s1p0", ConvOpts(1, 0), false},
	{"conv1x1_s1", ConvOpts(1, 0), false},
	{"conv1x1_s2", ConvOpts(2, 0), false},
	{"conv7x7_s2p3", ConvOpts(2, 3), false},
	{"conv3x3_d2p2_bias", Conv2dParams{Stride: [2]int{1, 1}, Pad: [2]int{2, 2}, Dilation: [2]int{2, 2}}, true},
	{"conv_rect", Conv2dParams{Stride: [2]int{2, 1}, Pad: [2]int{1, 0}, Dilation: [2]int{1, 2}}, true},
	{"conv3x3_wide", ConvOpts(1, 1), false},
}

// filled returns a tensor of x's shape with every element v.
func filled(x *tensor.Tensor, v float32) *tensor.Tensor { return tensor.Full(v, x.Shape()...) }

// plusOne returns want + 1, the expected result of accumulating want into ones.
func plusOne(want *tensor.Tensor) *tensor.Tensor {
	out := want.Clone()
	for i := range out.Data() {
		out.Data()[i]++
	}
	return out
}

func TestConv2dFixtures(t *testing.T) {
	forEachISA(t, func(t *testing.T) {
		for _, k := range knobSets {
			restore := withKnobs(k)
			for _, c := range convCases {
				t.Run(c.name+"/"+k.String(), func(t *testing.T) {
					x := fixtureCNHW(t, c.name, "x")
					w := fixture(t, c.name, "w")
					var b, gb *tensor.Tensor
					if c.bias {
						b, gb = fixture(t, c.name, "b"), fixture(t, c.name, "gb")
					}
					want := fixtureCNHW(t, c.name, "y")
					dy := fixtureCNHW(t, c.name, "gy")
					gx, gw := fixtureCNHW(t, c.name, "gx"), fixture(t, c.name, "gw")
					shape, err := Conv2dOutputShape(x.Shape(), w.Shape(), c.p)
					if err != nil {
						t.Fatal(err)
					}
					kk := w.Len() / w.Dim(0)
					y := tensor.Full(float32(math.NaN()), shape...)
					Conv2dForward(y, x, w, b, c.p)
					checkClose(t, "y", y, want, kk)

					// Overwrite: the NaNs already there must not be read.
					dx, dw := filled(x, float32(math.NaN())), filled(w, float32(math.NaN()))
					var db *tensor.Tensor
					if c.bias {
						db = filled(b, float32(math.NaN()))
					}
					Conv2dBackward(Overwrite(dx), Overwrite(dw), Overwrite(db), dy, x, w, c.p)
					reduceX := w.Dim(0) * w.Dim(2) * w.Dim(3)
					reduceW := dy.Len() / dy.Dim(0)
					checkClose(t, "dx", dx, gx, reduceX)
					checkClose(t, "dw", dw, gw, reduceW)
					if c.bias {
						checkClose(t, "db", db, gb, reduceW)
					}

					// Accumulate into ones.
					dx, dw = filled(x, 1), filled(w, 1)
					if c.bias {
						db = filled(b, 1)
					}
					Conv2dBackward(Accumulate(dx), Accumulate(dw), Accumulate(db), dy, x, w, c.p)
					checkClose(t, "dx+1", dx, plusOne(gx), reduceX)
					checkClose(t, "dw+1", dw, plusOne(gw), reduceW)
					if c.bias {
						checkClose(t, "db+1", db, plusOne(gb), reduceW)
					}

					// Skipped outputs: only dw, then only dx.
					dw2 := filled(w, 0)
					Conv2dBackward(GradOut{}, Overwrite(dw2), GradOut{}, dy, x, w, c.p)
					checkClose(t, "dw only", dw2, gw, reduceW)
					dx2 := filled(x, 0)
					Conv2dBackward(Overwrite(dx2), GradOut{}, GradOut{}, dy, x, w, c.p)
					checkClose(t, "dx only", dx2, gx, reduceX)
				})
			}
			restore()
		}
	})
}

// convGradCase is a tiny convolution for the finite-difference check.
type convGradCase struct {
	name   string
	xs, ws []int
	p      Conv2dParams
	bias   bool
}

var convGradCases = []convGradCase{
	{"3x3s1p1", []int{2, 2, 5, 4}, []int{3, 2, 3, 3}, ConvOpts(1, 1), true},
	{"3x3s2p1", []int{2, 2, 6, 5}, []int{2, 2, 3, 3}, ConvOpts(2, 1), false},
	{"1x1s1", []int{3, 2, 3, 4}, []int{2, 3, 1, 1}, ConvOpts(1, 0), true},
	{"1x1s2", []int{2, 2, 5, 5}, []int{3, 2, 1, 1}, ConvOpts(2, 0), false},
	{"7x7s2p3", []int{2, 1, 7, 6}, []int{2, 2, 7, 7}, ConvOpts(2, 3), false},
	{"rect_dil", []int{2, 2, 7, 6}, []int{2, 2, 2, 3}, Conv2dParams{Stride: [2]int{1, 2}, Pad: [2]int{1, 2}, Dilation: [2]int{2, 1}}, true},
	{"s3_no_overlap", []int{1, 2, 7, 7}, []int{2, 1, 2, 2}, ConvOpts(3, 0), false},
}

// TestConv2dGradCheck checks the forward against the float64 reference and every
// gradient against central differences of the reference, on every path and driver
// configuration, independent of the PyTorch fixtures.
func TestConv2dGradCheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range convGradCases {
		x, w := randT(rng, c.xs...), randT(rng, c.ws...)
		var b *tensor.Tensor
		var b64 []float64
		if c.bias {
			b = randT(rng, c.ws[0])
			b64 = to64(b.Data())
		}
		x64, w64 := to64(x.Data()), to64(w.Data())
		yref := convRef(x64, c.xs, w64, c.ws, b64, c.p)
		r := make([]float64, len(yref)) // the loss is Σ r·y
		for i := range r {
			r[i] = rng.NormFloat64()
		}
		loss := func() float64 { return dot64(r, convRef(x64, c.xs, w64, c.ws, b64, c.p)) }
		gx, gw := numGrad(loss, x64, 1e-6), numGrad(loss, w64, 1e-6)
		var gb []float64
		if c.bias {
			gb = numGrad(loss, b64, 1e-6)
		}
		shape, err := Conv2dOutputShape(c.xs, c.ws, c.p)
		if err != nil {
			t.Fatal(c.name, err)
		}
		dy := tensor.FromData(to32(r), shape...)
		forEachISA(t, func(t *testing.T) {
			for _, k := range knobSets {
				restore := withKnobs(k)
				t.Run(c.name+"/"+k.String(), func(t *testing.T) {
					y := tensor.New(shape...)
					Conv2dForward(y, x, w, b, c.p)
					checkGrad(t, "y", y.Data(), yref)
					dx, dw := tensor.New(c.xs...), tensor.New(c.ws...)
					var db *tensor.Tensor
					if c.bias {
						db = tensor.New(c.ws[0])
					}
					Conv2dBackward(Overwrite(dx), Overwrite(dw), Overwrite(db), dy, x, w, c.p)
					checkGrad(t, "dx", dx.Data(), gx)
					checkGrad(t, "dw", dw.Data(), gw)
					if c.bias {
						checkGrad(t, "db", db.Data(), gb)
					}
				})
				restore()
			}
		})
	}
}

func TestConv2dShapeErrors(t *testing.T) {
	for _, c := range []struct {
		xs, ws []int
		p      Conv2dParams
		want   string
	}{
		{[]int{3, 1, 5, 5}, []int{4, 2, 3, 3}, ConvOpts(1, 1), "input channels"},
		{[]int{3, 1, 5}, []int{4, 3, 3, 3}, ConvOpts(1, 1), "not 4-D"},
		{[]int{3, 1, 2, 2}, []int{4, 3, 5, 5}, ConvOpts(1, 1), "smaller than the dilated kernel"},
		{[]int{3, 1, 5, 5}, []int{4, 3, 3, 3}, ConvOpts(-1, 1), "negative"},
	} {
		_, err := Conv2dOutputShape(c.xs, c.ws, c.p)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Conv2dOutputShape(%v, %v, %+v) = %v, want an error containing %q", c.xs, c.ws, c.p, err, c.want)
		}
	}
	// The compute functions panic with the shapes named.
	defer func() {
		r := recover()
		if s, _ := r.(string); !strings.Contains(s, "Conv2dForward") || !strings.Contains(s, "[4 1 5 5]") {
			t.Errorf("panic %v, want one naming Conv2dForward and the bad y shape", r)
		}
	}()
	Conv2dForward(tensor.New(4, 1, 5, 5), tensor.New(3, 1, 5, 5), tensor.New(4, 3, 3, 3), nil, ConvOpts(2, 1))
}

// TestIm2colChunks checks that im2col of any block of rows and columns equals the
// matching block of the whole column matrix, and col2im is its transpose
// (⟨col2im(C), X⟩ = ⟨C, im2col(X)⟩).
// The same-size stride-1 fast path gives the general path's columns, on any block.
func TestIm2colSameMatchesGeneral(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for _, c := range []struct {
		x, w []int
		pad  int
	}{
		{[]int{2, 3, 5, 7}, []int{2, 2, 3, 3}, 1},
		{[]int{1, 2, 4, 4}, []int{1, 1, 5, 5}, 2},
		{[]int{2, 2, 1, 6}, []int{1, 2, 3, 3}, 1},
		{[]int{3, 1, 3, 3}, []int{1, 3, 1, 1}, 0},
	} {
		g, err := newConvGeom(c.x, c.w, ConvOpts(1, c.pad))
		if err != nil || !sameShape(&g) {
			t.Fatalf("%v: %v, same %v", c, err, sameShape(&g))
		}
		x := randT(rng, c.x...).Data()
		for _, blk := range [][4]int{{0, g.k, 0, g.p}, {1, g.k - 1, 3, g.p - 2}, {0, 1, g.p - 1, g.p}, {g.k / 2, g.k, 1, g.p/2 + 3}} {
			k0, k1, p0, p1 := blk[0], blk[1], blk[2], blk[3]
			fast := make([]float32, (k1-k0)*(p1-p0))
			for i := range fast {
				fast[i] = float32(math.NaN()) // every element must be written
			}
			im2colSame(fast, p1-p0, x, &g, k0, k1, p0, p1)
			slow := make([]float32, len(fast))
			im2colGeneral(slow, p1-p0, x, &g, k0, k1, p0, p1, false)
			for i := range fast {
				if fast[i] != slow[i] {
					t.Fatalf("%v block %v: element %d = %v, general path %v", c, blk, i, fast[i], slow[i])
				}
			}
		}
	}
}

func TestIm2colChunks(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	g, err := newConvGeom([]int{3, 2, 7, 9}, []int{2, 3, 3, 3}, Conv2dParams{Stride: [2]int{2, 3}, Pad: [2]int{1, 2}, Dilation: [2]int{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	x := randT(rng, 3, 2, 7, 9).Data()
	full := make([]float32, g.k*g.p)
	im2col(full, g.p, x, &g, 0, g.k, 0, g.p, false)
	for _, blk := range [][4]int{{0, g.k, 0, g.p}, {1, 5, 3, 17}, {7, 8, 0, 1}, {5, g.k, 10, g.p}} {
		k0, k1, p0, p1 := blk[0], blk[1], blk[2], blk[3]
		part := make([]float32, (k1-k0)*(p1-p0))
		im2col(part, p1-p0, x, &g, k0, k1, p0, p1, false)
		for r := k0; r < k1; r++ {
			for q := p0; q < p1; q++ {
				if got, want := part[(r-k0)*(p1-p0)+q-p0], full[r*g.p+q]; got != want {
					t.Fatalf("block %v: col[%d,%d] = %v, want %v", blk, r, q, got, want)
				}
			}
		}
	}
	// The deinterleaved image (phase planes, or with them off each row's column
	// phases) gives the same columns.
	for _, phases := range []bool{true, false} {
		restore := knob(&convPhasePlanes, phases)()
		d := make([]float32, deintSize(&g))
		for q := 0; q < g.cin*g.n; q++ {
			deintPlane(d, &g, q/g.n, q%g.n, x[q*g.h*g.w:(q+1)*g.h*g.w])
		}
		viaD := make([]float32, len(full))
		im2col(viaD, g.p, d, &g, 0, g.k, 0, g.p, true)
		restore()
		for i := range full {
			if viaD[i] != full[i] {
				t.Fatalf("deinterleaved (phase planes %v) im2col differs at %d: %v, want %v", phases, i, viaD[i], full[i])
			}
		}
	}
	c := randT(rng, g.k, g.p).Data()
	back := make([]float32, len(x))
	col2im(back, c, g.p, &g, 0, g.k, 0, g.p)
	lhs := dot64(to64(back), to64(x))
	rhs := dot64(to64(c), to64(full))
	if math.Abs(lhs-rhs) > 1e-4*math.Abs(rhs)+1e-4 {
		t.Errorf("⟨col2im(C), X⟩ = %v, ⟨C, im2col(X)⟩ = %v", lhs, rhs)
	}
}

// TestChunkerCoversOnce checks that the chunks a chunker hands out to concurrent takers
// cover [0, total) exactly once, in chunks of one size (the last one shorter), and that
// their number is a multiple of the goroutines when the range allows.
func TestChunkerCoversOnce(t *testing.T) {
	for _, c := range []struct{ total, maxSize, align, nt int }{
		{1, 1024, 16, 2}, {17, 4, 1, 3}, {3136, 1024, 16, 2}, {200704, 1024, 16, 2}, {1000, 7, 16, 5}, {5, 100, 16, 1},
	} {
		ch := newChunker(c.total, c.maxSize, c.align, c.nt)
		seen := make([]int32, c.total)
		counts := make([]int, c.nt)
		parallel(c.nt, func(g int) {
			for {
				lo, hi, ok := ch.take()
				if !ok {
					return
				}
				if lo%ch.size != 0 || (hi-lo != ch.size && hi != c.total) {
					t.Errorf("%+v: chunk [%d, %d) with size %d", c, lo, hi, ch.size)
				}
				counts[g]++
				for i := lo; i < hi; i++ {
					seen[i]++
				}
			}
		})
		for i, n := range seen {
			if n != 1 {
				t.Fatalf("%+v: position %d covered %d times", c, i, n)
			}
		}
		chunks := (c.total + ch.size - 1) / ch.size
		if c.total >= c.nt*c.align && chunks%c.nt != 0 && ch.size > c.align {
			t.Errorf("%+v: %d chunks of %d, not a multiple of %d goroutines", c, chunks, ch.size, c.nt)
		}
	}
}

// TestConvForwardDeterministic checks that the forward convolution gives the same bits
// whatever goroutine takes which chunk and however many goroutines run: every output
// column is computed the same way in any chunk.
func TestConvForwardDeterministic(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 3))
	x, w := randT(rng, 8, 3, 13, 11), randT(rng, 6, 8, 3, 3)
	p := ConvOpts(1, 1)
	shape, err := Conv2dOutputShape(x.Shape(), w.Shape(), p)
	if err != nil {
		t.Fatal(err)
	}
	run := func(threads int) []float32 {
		restore := withKnobs(knobs{threads: threads, colBudget: 64, minChunk: 16, splitP: 1 << 30})
		defer restore()
		y := tensor.New(shape...)
		Conv2dForward(y, x, w, nil, p)
		return y.Data()
	}
	want := run(1)
	for i := 0; i < 20; i++ {
		got := run(1 + i%3)
		for j := range want {
			if math.Float32bits(got[j]) != math.Float32bits(want[j]) {
				t.Fatalf("run %d: y[%d] = %v, want %v (one goroutine)", i, j, got[j], want[j])
			}
		}
	}
}
