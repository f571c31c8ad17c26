package vision

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/fastgo/fastgo/tensor"
	"github.com/fastgo/fastgo/tensor/tensortest"
)

// paramsFromRow reads one row of the fixture's parameter table.
func paramsFromRow(r []float32) AugParams {
	f := func(i int) float64 { return float64(r[i]) }
	return AugParams{Flip: f(0), Rotate: f(1), Zoom: f(2), CX: f(3), CY: f(4),
		WarpX: f(5), WarpY: f(6), Brightness: f(7), Contrast: f(8)}
}

// TestBatchTransformsMatchTorch runs the batch transforms on the fixture's 46×46
// images (a scaled-down 460 → 224 that hits the same rules) and compares with the
// torch re-statement of fastai's maths, for a batch that is area-pre-shrunk, one that is
// not, and the validation path.
func TestBatchTransformsMatchTorch(t *testing.T) {
	src := loadNPY(t, "augment/src.npy") // (B, R, R, 3)
	B, R := src.Dim(0), src.Dim(1)
	const S = 22
	imgs := make([]*RGB, B)
	for b := range imgs {
		imgs[b] = NewRGB(R, R)
		for i, v := range src.Data()[b*R*R*3 : (b+1)*R*R*3] {
			imgs[b].Pix[i] = uint8(v)
		}
	}
	tr := newTransformer(R, S, ImageNetMean, ImageNetStd)
	for _, c := range readCases(t, "augment/cases.txt") {
		name, train := c[0], c[0] != "valid"
		wantShrink := atoi(t, c[1]) == 1
		pt := loadNPY(t, "augment/"+name+"_params.npy")
		want := loadNPY(t, "augment/"+name+"_out.npy") // (B, 3, S, S)
		params := make([]AugParams, B)
		plans := make([]samplePlan, B)
		for b := range params {
			params[b] = paramsFromRow(pt.Data()[b*9 : b*9+9])
			if !train {
				params[b] = IdentityAug()
			}
			plans[b] = planFor(params[b])
		}
		shrink := resolveBatch(plans, R, S)
		if (shrink > 0) != wantShrink || (wantShrink && shrink != atoi(t, c[2])) {
			t.Fatalf("%s: shrink to %d, torch: shrunk=%v to %s", name, shrink, wantShrink, c[2])
		}
		got := make([]float32, B*3*S*S) // torch's (B, 3, S, S) layout for the comparison
		for b := range imgs {
			var planes [3][]float32
			for ch := range planes {
				planes[ch] = got[(b*3+ch)*S*S:][:S*S]
			}
			p := params[b]
			tr.augment(planes, imgs[b], &plans[b], shrink, train, p.Brightness, p.Contrast)
			tr.normalize(planes)
		}
		t.Logf("%s: %s", name, tensortest.MaxDiff(got, want.Data()))
		tensortest.AllCloseSlices(t, name, got, want.Data(), 2e-5, 0)
	}
}

// TestValidPipelineFromPNG runs the whole validation path on a PNG file: decode,
// centre crop, PIL resize, area shrink, identity resample, normalize (SPEC §1.7).
func TestValidPipelineFromPNG(t *testing.T) {
	const R, S = 46, 22
	want := loadNPY(t, "pipeline/valid_out.npy") // (3, S, S)
	crop := readCases(t, "pipeline/crop.txt")[0]
	tr := newTransformer(R, S, ImageNetMean, ImageNetStd)
	if err := tr.load("testdata/pipeline/img.png"); err != nil {
		t.Fatal(err)
	}
	box := CropBox(tr.rgb.W, tr.rgb.H, R, 0.5, 0.5)
	if box.Min.X != atoi(t, crop[0]) || box.Min.Y != atoi(t, crop[1]) || box.Dx() != atoi(t, crop[2]) {
		t.Fatalf("crop %v, fastai (%s, %s) side %s", box, crop[0], crop[1], crop[2])
	}
	tr.resize(0.5, 0.5)
	plans := []samplePlan{planFor(IdentityAug())}
	shrink := resolveBatch(plans, R, S)
	got := make([]float32, 3*S*S)
	planes := [3][]float32{got[:S*S], got[S*S : 2*S*S], got[2*S*S:]}
	tr.augment(planes, &tr.big, &plans[0], shrink, false, 0.5, 1)
	tr.normalize(planes)
	tensortest.AllCloseSlices(t, "valid path", got, want.Data(), 2e-5, 0)
	// Hand-computed corner: with the identity grid, output (0,0) samples exactly input
	// pixel (0,0) of the shrunk image, the mean of a 2×2 block of the resized image.
	if shrink != 44 {
		t.Fatalf("shrink side %d, want floor(46/1.0454…) = 44", shrink)
	}
	sum := 0
	for _, i := range []int{0, 3, 3 * R, 3*R + 3} {
		sum += int(tr.big.Pix[i])
	}
	v := float32(sum) / 4 / 255
	if hand := (v - ImageNetMean[0]) / ImageNetStd[0]; math.Abs(float64(hand-got[0])) > 1e-5 {
		t.Errorf("pixel (0,0) red = %g, hand-computed %g", got[0], hand)
	}
}

// TestShrinkRule checks the pre-shrink decision and size for the real geometry.
func TestShrinkRule(t *testing.T) {
	// 460 → 224: d = 460/224/2 = 1.0268 and the output side is 448.
	if got := shrinkSide(-1, 1, 460, 224); got != 448 {
		t.Errorf("identity grid: shrink to %d, want 448", got)
	}
	// A range of 1.9 < 2/d = 1.948 (zoomed in): no shrink.
	if got := shrinkSide(-0.95, 0.95, 460, 224); got != 0 {
		t.Errorf("range 1.9: shrink to %d, want none", got)
	}
	// d ≤ 1 (small input): never.
	if got := shrinkSide(-1, 1, 64, 64); got != 0 {
		t.Errorf("64 → 64: shrink to %d, want none", got)
	}
}

// TestHomography checks the warp maps the target corners to the standard ones and is
// the identity for zero magnitudes.
func TestHomography(t *testing.T) {
	h, ok := AugParams{WarpX: 0.13, WarpY: -0.08}.Homography()
	if !ok {
		t.Fatal("singular")
	}
	mx, my := 0.13, -0.08
	targ := [4][2]float64{{-1 - my, -1 - mx}, {-1 + my, 1 + mx}, {1 + my, -1 + mx}, {1 - my, 1 - mx}}
	orig := [4][2]float64{{-1, -1}, {-1, 1}, {1, -1}, {1, 1}}
	pl := samplePlan{m: [6]float64{1, 0, 0, 0, 1, 0}, h: h, warp: true}
	for i := range targ {
		x, y, _ := pl.gridCoord(targ[i][0], targ[i][1])
		if math.Abs(x-orig[i][0]) > 1e-12 || math.Abs(y-orig[i][1]) > 1e-12 {
			t.Errorf("corner %v → (%g, %g), want %v", targ[i], x, y, orig[i])
		}
	}
	id, ok := IdentityAug().Homography()
	if !ok || id != [8]float64{1, 0, 0, 0, 1, 0, 0, 0} {
		t.Errorf("zero warp: %v %v", id, ok)
	}
}

// TestAugmentationStatistics draws many parameter sets with the default options and
// checks fastai's distributions: flip rate 0.5, rotation in ±10° applied with p 0.75,
// zoom in [1, 1.1], lighting ranges, and the neutral rates.
func TestAugmentationStatistics(t *testing.T) {
	o := DefaultAug()
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 40000
	var flips, rot0, zoom1, warp0, b05, c1 int
	minRot, maxRot := math.Inf(1), math.Inf(-1)
	minC, maxC, minB, maxB := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for range n {
		p := o.Draw(rng)
		if p.Flip == -1 {
			flips++
		} else if p.Flip != 1 {
			t.Fatalf("flip %g", p.Flip)
		}
		if p.Rotate == 0 {
			rot0++
		}
		minRot, maxRot = math.Min(minRot, p.Rotate), math.Max(maxRot, p.Rotate)
		if p.Zoom == 1 {
			zoom1++
		}
		if p.Zoom < 1 || p.Zoom > 1.1 || p.CX < 0 || p.CX >= 1 || p.CY < 0 || p.CY >= 1 {
			t.Fatalf("zoom %g centre (%g, %g) out of range", p.Zoom, p.CX, p.CY)
		}
		if p.WarpX == 0 {
			warp0++
		}
		if math.Abs(p.WarpX) > 0.2 || math.Abs(p.WarpY) > 0.2 {
			t.Fatalf("warp %g %g out of range", p.WarpX, p.WarpY)
		}
		if p.Brightness == 0.5 {
			b05++
		}
		if p.Contrast == 1 {
			c1++
		}
		minB, maxB = math.Min(minB, p.Brightness), math.Max(maxB, p.Brightness)
		minC, maxC = math.Min(minC, p.Contrast), math.Max(maxC, p.Contrast)
	}
	rate := func(k int) float64 { return float64(k) / n }
	near := func(name string, got, want float64) {
		if math.Abs(got-want) > 0.015 { // ~6 standard errors at n = 40000
			t.Errorf("%s rate %.4f, want %.2f", name, got, want)
		}
	}
	near("flip", rate(flips), 0.5)
	near("no rotation", rate(rot0), 0.25)
	near("no zoom", rate(zoom1), 0.25)
	near("no warp-x", rate(warp0), 0.25)
	near("neutral brightness", rate(b05), 0.25)
	near("neutral contrast", rate(c1), 0.25)
	if minRot < -10 || maxRot > 10 || minRot > -9.9 || maxRot < 9.9 {
		t.Errorf("rotation range [%g, %g], want about [-10, 10]", minRot, maxRot)
	}
	if minB < 0.4 || maxB > 0.6 || minB > 0.401 || maxB < 0.599 {
		t.Errorf("brightness range [%g, %g], want [0.4, 0.6]", minB, maxB)
	}
	if minC < 0.8-1e-12 || maxC > 1.25+1e-12 || minC > 0.802 || maxC < 1.245 {
		t.Errorf("contrast range [%g, %g], want [0.8, 1.25]", minC, maxC)
	}
}

// TestLightingHandComputed checks y = σ((logit(x)+logit(b))·c) on single values.
func TestLightingHandComputed(t *testing.T) {
	sig := func(v float64) float64 { return 1 / (1 + math.Exp(-v)) }
	lg := func(p float64) float64 { return math.Log(p / (1 - p)) }
	for _, c := range []struct{ x, b, c float64 }{
		{0.3, 0.5, 1}, {0.3, 0.6, 1}, {0.8, 0.45, 1.2}, {0, 0.4, 0.8}, {1, 0.55, 1.1}, {0.5, 0.5, 0.9},
	} {
		xc := math.Min(math.Max(c.x, 1e-7), 1-1e-7)
		want := sig((lg(xc) + lg(c.b)) * c.c)
		v := []float32{float32(c.x)}
		applyLighting([3][]float32{v, nil, nil}, c.b, c.c)
		if math.Abs(float64(v[0])-want) > 2e-6 {
			t.Errorf("lighting(x=%g, b=%g, c=%g) = %g, want %g", c.x, c.b, c.c, v[0], want)
		}
	}
}

// TestValidLoaderFromPNG: a validation loader's one-image batch equals the fixture's
// validation path.
func TestValidLoaderFromPNG(t *testing.T) {
	o := DefaultLoader()
	o.BatchSize, o.Resize, o.Size = 1, 46, 22
	run := func(path string) (*tensor.Tensor, error) {
		l, err := NewLoader([]Item{{Path: path, Source: "fixture"}}, []string{"x"}, false, o)
		if err != nil {
			t.Fatal(err)
		}
		for b, err := range l.Epoch(0) {
			if err != nil {
				return nil, err
			}
			x := tensor.FromData(slices.Clone(b.X.Data()), b.X.Shape()...)
			b.Release()
			return x, nil
		}
		t.Fatal("no batch")
		return nil, nil
	}
	x, err := run("testdata/pipeline/img.png")
	if err != nil {
		t.Fatal(err)
	}
	if s := x.Shape(); len(s) != 4 || s[0] != 3 || s[1] != 1 || s[2] != 22 {
		t.Fatalf("shape %v", s)
	}
	tensortest.AllCloseSlices(t, "preprocess", x.Data(), loadNPY(t, "pipeline/valid_out.npy").Data(), 2e-5, 0)
	if _, err := run("testdata/missing.png"); err == nil {
		t.Error("missing file accepted")
	}
}

// TestFlipMirrors: with only a flip, the output is the unflipped output mirrored
// left-right, exactly (the grid is symmetric).
func TestFlipMirrors(t *testing.T) {
	const W, S = 30, 16
	src := make([]float32, 3*W*W)
	for i := range src {
		src[i] = float32(i%97) / 97
	}
	run := func(p AugParams) []float32 {
		out := make([]float32, 3*S*S)
		pl := planFor(p)
		sampleImage([3][]float32{out[:S*S], out[S*S : 2*S*S], out[2*S*S:]}, S, src, W, W, &pl)
		return out
	}
	id := IdentityAug()
	fl := id
	fl.Flip = -1
	a, b := run(id), run(fl)
	for c := 0; c < 3; c++ {
		for i := 0; i < S; i++ {
			for j := 0; j < S; j++ {
				if x, y := a[(c*S+i)*S+j], b[(c*S+i)*S+S-1-j]; math.Abs(float64(x-y)) > 1e-6 {
					t.Fatalf("channel %d (%d,%d): %g vs mirrored %g", c, i, j, x, y)
				}
			}
		}
	}
}
