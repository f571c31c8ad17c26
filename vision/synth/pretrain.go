package synth

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"path/filepath"
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

// drawPretrain paints one pretraining image of class kind: a coloured gradient with
// speckle (the sample's backgrounds are grey) and one shape.
func drawPretrain(img *image.RGBA, kind int, rng *rand.Rand) {
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
	rpx := size*18/100 + rng.IntN(size*14/100+1)
	cx := rpx + 1 + rng.IntN(max(size-2*rpx-2, 1))
	cy := rpx + 1 + rng.IntN(max(size-2*rpx-2, 1))
	scx, scy, r, rot := 4*cx+2, 4*cy+2, 4*rpx, rng.IntN(len(rotations))
	var col [3]int
	for k := range 3 {
		col[k] = min(max(pretrainPalette[kind][k]+rng.IntN(41)-20, 0), 255)
	}
	x0, x1 := max((scx-r)/4-1, 0), min((scx+r)/4+2, size)
	y0, y1 := max((scy-r)/4-1, 0), min((scy+r)/4+2, size)
	for y := y0; y < y1; y++ {
		row := img.Pix[y*img.Stride:]
		for x := x0; x < x1; x++ {
			cov := 0
			for _, q := range [4][2]int{{1, 1}, {3, 1}, {1, 3}, {3, 3}} {
				if insidePretrain(kind, r, rot, int64(4*x+q[0]-scx), int64(4*y+q[1]-scy)) {
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

// GeneratePretrain writes the single-label pretraining data set into dir in fastai's
// from_folder layout: train/<class>/NNNNNN.jpg and valid/<class>/NNNNNN.jpg, o.Train
// and o.Valid images with the classes in turn (balanced), one shape of PretrainClasses
// per image. o.COCO is ignored. Like Generate it is deterministic for a seed.
func GeneratePretrain(dir string, o Options) (Summary, error) {
	if err := o.fill(); err != nil {
		return Summary{}, err
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x9e7a1))
	sum := Summary{Dir: dir, Train: o.Train, Valid: o.Valid, ClassCounts: map[string]int{}}
	img := image.NewRGBA(image.Rect(0, 0, o.Size, o.Size))
	var jb bytes.Buffer
	for _, sp := range []struct {
		name string
		n    int
	}{{"train", o.Train}, {"valid", o.Valid}} {
		for _, c := range PretrainClasses {
			if err := os.MkdirAll(filepath.Join(dir, sp.name, c), 0o755); err != nil {
				return sum, err
			}
		}
		for i := 0; i < sp.n; i++ {
			kind := i % len(PretrainClasses)
			drawPretrain(img, kind, rng)
			jb.Reset()
			if err := jpeg.Encode(&jb, img, &jpeg.Options{Quality: o.Quality}); err != nil {
				return sum, err
			}
			p := filepath.Join(dir, sp.name, PretrainClasses[kind], fmt.Sprintf("%06d.jpg", i))
			if err := os.WriteFile(p, jb.Bytes(), 0o644); err != nil {
				return sum, err
			}
			sum.ClassCounts[PretrainClasses[kind]]++
		}
	}
	return sum, nil
}
