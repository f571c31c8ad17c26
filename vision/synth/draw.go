package synth

import (
	"image"
	"math/rand/v2"
)

// Geometry is in quarter-pixel units (2×2 supersampling at the quarter points), all in
// integers so that the output does not depend on floating-point contraction.

// rotations holds (cos, sin)·1024 for -20° … 20° in steps of 5°.
var rotations = [][2]int64{
	{962, -350}, {978, -265}, {990, -177}, {998, -89}, {1024, 0},
	{998, 89}, {990, 177}, {978, 265}, {962, 350},
}

// palette is each shape kind's colour (before a small random variation): a kind is
// recognisable by its colour as well as by its outline, so that even a network trained
// from scratch for a few hundred steps learns the labels.
var palette = [][3]int{
	{220, 40, 40},  // circle: red
	{40, 190, 40},  // cross: green
	{50, 80, 230},  // diamond: blue
	{235, 205, 30}, // ring: yellow
	{200, 50, 210}, // square: magenta
	{30, 200, 210}, // triangle: cyan
}

// shape is one drawn shape: kind (index into Classes), centre and radius in
// quarter-pixels, rotation index and colour.
type shape struct {
	kind, cx, cy, r, rot int
	col                  [3]int
}

// inside reports whether the sample at offset (dx, dy) from the centre (quarter
// pixels) is inside the shape.
func (s *shape) inside(dx, dy int64) bool {
	c, sn := rotations[s.rot][0], rotations[s.rot][1]
	u, v := dx*c+dy*sn, -dx*sn+dy*c // rotated, scaled by 1024
	R := int64(s.r) * 1024
	au, av := abs(u), abs(v)
	switch Classes[s.kind] {
	case "circle":
		return u*u+v*v <= R*R
	case "ring":
		d := u*u + v*v
		return d <= R*R && 400*d >= 144*R*R // inner radius 0.6 R
	case "square":
		return 100*au <= 76*R && 100*av <= 76*R
	case "diamond": // a rhombus, narrower than tall
		return 100*au+62*av <= 62*R
	case "cross":
		return (100*au <= 28*R && av <= R) || (100*av <= 28*R && au <= R)
	case "triangle": // apex up; vertices (0,-R), (±0.9R, 0.62R)
		top, by, bx := -R, 62*R/100, 90*R/100
		e := func(ax, ay, bx, by int64) bool { return (bx-ax)*(v-ay)-(by-ay)*(u-ax) >= 0 }
		return e(0, top, bx, by) && e(bx, by, -bx, by) && e(-bx, by, 0, top)
	}
	return false
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// drawImage paints a new random image into img and returns its shapes.
func drawImage(img *image.RGBA, rng *rand.Rand) []shape {
	size := img.Rect.Dx()
	// Background: a grey gradient along a random direction, plus noise, so that the
	// shapes' colours stand out.
	var c0, c1 [3]int
	g0, g1 := 40+rng.IntN(176), 40+rng.IntN(176)
	for k := range 3 {
		c0[k], c1[k] = g0+rng.IntN(21)-10, g1+rng.IntN(21)-10
	}
	gx, gy := rng.IntN(5)-2, rng.IntN(5)-2
	if gx == 0 && gy == 0 {
		gx = 1
	}
	span := (abs(int64(gx)) + abs(int64(gy))) * int64(size)
	lo := int64(min(gx, 0)+min(gy, 0)) * int64(size)
	for y := 0; y < size; y++ {
		row := img.Pix[y*img.Stride:]
		for x := 0; x < size; x++ {
			t := int64(gx*x+gy*y) - lo // 0 … span
			for k := range 3 {
				v := int64(c0[k]) + (int64(c1[k]-c0[k])*t)/span + int64(rng.IntN(41)-20)
				row[4*x+k] = uint8(min(max(v, 0), 255))
			}
			row[4*x+3] = 255
		}
	}

	// One to three shapes, placed with little overlap.
	n := 1
	switch u := rng.IntN(100); {
	case u >= 80:
		n = 3
	case u >= 45:
		n = 2
	}
	var shapes []shape
	for len(shapes) < n {
		var s shape
		placed := false
		for try := 0; try < 30 && !placed; try++ {
			rpx := size*12/100 + rng.IntN(size*12/100+1)
			cx := rpx + 1 + rng.IntN(max(size-2*rpx-2, 1))
			cy := rpx + 1 + rng.IntN(max(size-2*rpx-2, 1))
			s = shape{kind: rng.IntN(len(Classes)), cx: 4*cx + 2, cy: 4*cy + 2, r: 4 * rpx, rot: rng.IntN(len(rotations))}
			placed = true
			for _, o := range shapes {
				dx, dy := int64(s.cx-o.cx), int64(s.cy-o.cy)
				lim := int64(s.r+o.r) * 85 / 100
				if dx*dx+dy*dy < lim*lim {
					placed = false
				}
			}
		}
		if !placed {
			break
		}
		for k := range 3 { // the kind's colour, slightly varied
			s.col[k] = min(max(palette[s.kind][k]+rng.IntN(41)-20, 0), 255)
		}
		shapes = append(shapes, s)
	}
	for i := range shapes {
		paint(img, &shapes[i])
	}
	return shapes
}

// paint blends the shape into img with 2×2 supersampled coverage.
func paint(img *image.RGBA, s *shape) {
	size := img.Rect.Dx()
	x0, x1 := max((s.cx-s.r)/4-1, 0), min((s.cx+s.r)/4+2, size)
	y0, y1 := max((s.cy-s.r)/4-1, 0), min((s.cy+s.r)/4+2, size)
	for y := y0; y < y1; y++ {
		row := img.Pix[y*img.Stride:]
		for x := x0; x < x1; x++ {
			cov := 0
			for _, q := range [4][2]int{{1, 1}, {3, 1}, {1, 3}, {3, 3}} {
				if s.inside(int64(4*x+q[0]-s.cx), int64(4*y+q[1]-s.cy)) {
					cov++
				}
			}
			if cov == 0 {
				continue
			}
			for k := range 3 {
				old := int(row[4*x+k])
				row[4*x+k] = uint8((old*(4-cov) + s.col[k]*cov + 2) / 4)
			}
		}
	}
}
