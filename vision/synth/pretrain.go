package synth

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
)

// PretrainClasses are the classes of the pretraining data set (GeneratePretrain), in
// vocabulary order. None of them is a shape of the multi-label sample (Classes): four
// outlines (a crescent, an ellipse, a hexagon, a six-pointed star made of two
// triangles) and four textures (checker, dots, stripes, a zig-zag band), so a body
// pretrained on them learns edges, curves, corners and colours that transfer, and has
// never seen the sample's shapes.
var PretrainClasses = []string{"checker", "crescent", "dots", "ellipse", "hexagon", "hexagram", "stripes", "zigzag"}

// pretrainPalette is each pretraining class's colour: none is one of the sample's
// (red, green, blue, yellow, magenta, cyan); each is at least 90 apart (sum of the
// channels' differences) from all of them. As in the sample, a class is recognisable by
// its colour as well as its outline, so that a few epochs from scratch learn it. The
// six chromatic colours sit between the sample's hues all round the hue circle (orange
// 30°, lime 86°, teal 160°, azure 210°, violet 265°, rose 342°; the sample's are at 0°,
// 51°, 120°, 183°, 230° and 296°), so the body learns to tell hues apart everywhere: an
// earlier palette with no hue between 75° and 225° left the pretrained body weak on the
// sample's cyan and blue shapes (their average precision 0.78 and 0.68 against ≥ 0.88
// for the other classes).
var pretrainPalette = [][3]int{
	{240, 130, 20},  // checker: orange
	{150, 225, 50},  // crescent: lime
	{250, 250, 245}, // dots: white
	{130, 60, 230},  // ellipse: violet
	{60, 150, 240},  // hexagon: azure
	{250, 120, 160}, // hexagram: rose
	{30, 150, 110},  // stripes: teal
	{10, 10, 10},    // zigzag: black
}

// insidePretrain reports whether the sample at offset (dx, dy) from the centre (quarter
// pixels) is inside a pretraining shape of the given class, rotated by rot.
func insidePretrain(kind, r, rot int, dx, dy int64) bool {
	c, sn := rotations[rot][0], rotations[rot][1]
	u, v := (dx*c+dy*sn)/1024, (-dx*sn+dy*c)/1024 // rotated, quarter pixels
	R := int64(r)
	au, av := abs(u), abs(v)
	disc := u*u+v*v <= R*R
	cell := max(R/3, 4) // texture period, quarter pixels
	switch PretrainClasses[kind] {
	case "checker":
		return au*100 <= 80*R && av*100 <= 80*R && (floorDiv(u, cell)+floorDiv(v, cell))%2 == 0
	case "crescent": // a disc minus a disc shifted right
		sx := u - 45*R/100
		return disc && sx*sx+v*v > 80*R*80*R/10000
	case "dots": // a disc of round dots
		mu, mv := floorMod(u, cell)-cell/2, floorMod(v, cell)-cell/2
		return disc && 9*(mu*mu+mv*mv) <= 2*cell*cell/2
	case "ellipse": // half as tall as wide
		return u*u+4*v*v <= R*R
	case "hexagon": // flat top: |v| ≤ 0.866R, 0.5|v|+0.866|u| ≤ 0.866R
		return 1000*av <= 866*R && 500*av+866*au <= 866*R
	case "hexagram": // a triangle apex up and one apex down
		return triangle(u, v, R) || triangle(u, -v, R)
	case "stripes": // a disc of diagonal stripes
		return disc && floorMod(u+v, 2*cell) < cell
	case "zigzag": // a band that zig-zags across
		w := floorMod(u, 2*cell)
		if w > cell {
			w = 2*cell - w
		}
		mid := 2*w - cell
		return au <= R && abs(v-mid) <= cell/2
	}
	return false
}

// triangle is the sample's triangle outline (apex up) in rotated coordinates.
func triangle(u, v, R int64) bool {
	top, by, bx := -R, 62*R/100, 90*R/100
	e := func(ax, ay, bx, by int64) bool { return (bx-ax)*(v-ay)-(by-ay)*(u-ax) >= 0 }
	return e(0, top, bx, by) && e(bx, by, -bx, by) && e(-bx, by, 0, top)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func floorMod(a, b int64) int64 { return a - floorDiv(a, b)*b }

// pretrainBackground paints a pretraining image's background: a coloured gradient with
// speckle (the sample's backgrounds are grey).
func pretrainBackground(img *image.RGBA, rng *rand.Rand) {
	size := img.Rect.Dx()
	var c0, c1 [3]int
	for k := range 3 {
		c0[k], c1[k] = 30+rng.IntN(196), 30+rng.IntN(196)
	}
	vertical := rng.IntN(2) == 0
	for y := 0; y < size; y++ {
		row := img.Pix[y*img.Stride:]
		for x := 0; x < size; x++ {
			t := x
			if vertical {
				t = y
			}
			speckle := 0
			if rng.IntN(8) == 0 {
				speckle = rng.IntN(121) - 60
			}
			for k := range 3 {
				v := c0[k] + (c1[k]-c0[k])*t/size + speckle
				row[4*x+k] = uint8(min(max(v, 0), 255))
			}
			row[4*x+3] = 255
		}
	}
}

// pretrainShape is one shape of a pretraining image: kind (index into PretrainClasses),
// centre and radius in quarter pixels, rotation index.
type pretrainShape struct{ kind, cx, cy, r, rot int }

// paintPretrain blends a shape of its kind's colour (slightly varied) into img with
// 2×2 supersampled coverage.
func paintPretrain(img *image.RGBA, s pretrainShape, rng *rand.Rand) {
	size := img.Rect.Dx()
	var col [3]int
	for k := range 3 {
		col[k] = min(max(pretrainPalette[s.kind][k]+rng.IntN(41)-20, 0), 255)
	}
	x0, x1 := max((s.cx-s.r)/4-1, 0), min((s.cx+s.r)/4+2, size)
	y0, y1 := max((s.cy-s.r)/4-1, 0), min((s.cy+s.r)/4+2, size)
	for y := y0; y < y1; y++ {
		row := img.Pix[y*img.Stride:]
		for x := x0; x < x1; x++ {
			cov := 0
			for _, q := range [4][2]int{{1, 1}, {3, 1}, {1, 3}, {3, 3}} {
				if insidePretrain(s.kind, s.r, s.rot, int64(4*x+q[0]-s.cx), int64(4*y+q[1]-s.cy)) {
					cov++
				}
			}
			for k := range 3 {
				old := int(row[4*x+k])
				row[4*x+k] = uint8((old*(4-cov) + col[k]*cov + 2) / 4)
			}
		}
	}
}

// drawPretrain paints one image of GeneratePretrain's single-object set: one large shape
// of class kind on a pretraining background.
func drawPretrain(img *image.RGBA, kind int, rng *rand.Rand) {
	size := img.Rect.Dx()
	pretrainBackground(img, rng)
	rpx := size*18/100 + rng.IntN(size*14/100+1)
	cx := rpx + 1 + rng.IntN(max(size-2*rpx-2, 1))
	cy := rpx + 1 + rng.IntN(max(size-2*rpx-2, 1))
	paintPretrain(img, pretrainShape{kind: kind, cx: 4*cx + 2, cy: 4*cy + 2, r: 4 * rpx, rot: rng.IntN(len(rotations))}, rng)
}

// PretrainPairClasses returns the classes of the pretraining set with Options.Pairs, in
// vocabulary (sorted) order: each kind of PretrainClasses alone ("hexagon") and each
// pair of two different kinds ("crescent+hexagon", the kinds in PretrainClasses' order),
// 8 + 28 = 36 classes.
func PretrainPairClasses() []string {
	var out []string
	for _, p := range pretrainPairs() {
		out = append(out, pairName(p))
	}
	sort.Strings(out)
	return out
}

// pretrainPairs lists the kinds of each class of the pairs set (b = -1 for a kind
// alone), in generation order: the kinds alone, then the pairs.
func pretrainPairs() [][2]int {
	var out [][2]int
	for a := range PretrainClasses {
		out = append(out, [2]int{a, -1})
	}
	for a := range PretrainClasses {
		for b := a + 1; b < len(PretrainClasses); b++ {
			out = append(out, [2]int{a, b})
		}
	}
	return out
}

func pairName(p [2]int) string {
	if p[1] < 0 {
		return PretrainClasses[p[0]]
	}
	return PretrainClasses[p[0]] + "+" + PretrainClasses[p[1]]
}

// drawPretrainPair paints one image of the pairs set: a shape of each of the two kinds,
// or one or two shapes of a kind alone, at the sample's sizes (radius 12–24% of the
// side) and placed with little overlap as the sample's are, so that the class can only
// be told by seeing every shape in the image.
func drawPretrainPair(img *image.RGBA, p [2]int, rng *rand.Rand) {
	size := img.Rect.Dx()
	pretrainBackground(img, rng)
	kinds := []int{p[0], p[1]}
	if p[1] < 0 {
		kinds = kinds[:1]
		if rng.IntN(2) == 0 {
			kinds = append(kinds, p[0])
		}
	}
	var shapes []pretrainShape
	for len(shapes) < len(kinds) {
		rpx := size*12/100 + rng.IntN(size*12/100+1)
		cx := rpx + 1 + rng.IntN(max(size-2*rpx-2, 1))
		cy := rpx + 1 + rng.IntN(max(size-2*rpx-2, 1))
		s := pretrainShape{kind: kinds[len(shapes)], cx: 4*cx + 2, cy: 4*cy + 2, r: 4 * rpx, rot: rng.IntN(len(rotations))}
		ok := true
		for _, o := range shapes {
			dx, dy := int64(s.cx-o.cx), int64(s.cy-o.cy)
			lim := int64(s.r+o.r) * 85 / 100
			ok = ok && dx*dx+dy*dy >= lim*lim
		}
		if ok { // else draw again: two shapes of at most 24% always fit
			shapes = append(shapes, s)
		}
	}
	for _, s := range shapes {
		paintPretrain(img, s, rng)
	}
}

// GeneratePretrain writes a single-label pretraining data set into dir in fastai's
// from_folder layout: train/<class>/NNNNNN.jpg and valid/<class>/NNNNNN.jpg, o.Train and
// o.Valid images with the classes in turn (balanced). Without o.Pairs an image shows one
// large shape of a kind of PretrainClasses, its class; with o.Pairs (the built-in first
// run's set) it shows a shape of each of two kinds or one or two shapes of one kind, and
// its class (PretrainPairClasses) names the kinds present, so a body trained on it has
// to see every shape of an image, as the multi-label sample needs, and not only the
// most salient one. o.COCO is ignored. Like Generate it is deterministic for a seed.
func GeneratePretrain(dir string, o Options) (Summary, error) {
	if err := o.fill(); err != nil {
		return Summary{}, err
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x9e7a1))
	sum := Summary{Dir: dir, Train: o.Train, Valid: o.Valid, ClassCounts: map[string]int{}}
	img := image.NewRGBA(image.Rect(0, 0, o.Size, o.Size))
	var classes [][2]int
	if o.Pairs {
		classes = pretrainPairs()
	} else {
		for k := range PretrainClasses {
			classes = append(classes, [2]int{k, -1})
		}
	}
	var jb bytes.Buffer
	for _, sp := range []struct {
		name string
		n    int
	}{{"train", o.Train}, {"valid", o.Valid}} {
		for _, c := range classes {
			if err := os.MkdirAll(filepath.Join(dir, sp.name, pairName(c)), 0o755); err != nil {
				return sum, err
			}
		}
		for i := 0; i < sp.n; i++ {
			c := classes[i%len(classes)]
			if o.Pairs {
				drawPretrainPair(img, c, rng)
			} else {
				drawPretrain(img, c[0], rng)
			}
			jb.Reset()
			if err := jpeg.Encode(&jb, img, &jpeg.Options{Quality: o.Quality}); err != nil {
				return sum, err
			}
			p := filepath.Join(dir, sp.name, pairName(c), fmt.Sprintf("%06d.jpg", i))
			if err := os.WriteFile(p, jb.Bytes(), 0o644); err != nil {
				return sum, err
			}
			sum.ClassCounts[pairName(c)]++
		}
	}
	return sum, nil
}
