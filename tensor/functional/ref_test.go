package functional

import "math"

// Float64 reference implementations of the layers, written as the obvious loops over
// the definitions. The gradient checks differentiate them numerically; the forward
// tests compare the float32 kernels with them.

// convRef is conv2d on CNHW x of shape xs with weights w of shape ws and bias b (or nil).
func convRef(x []float64, xs []int, w []float64, ws []int, b []float64, p Conv2dParams) []float64 {
	g, err := newConvGeom(xs, ws, p)
	if err != nil {
		panic(err)
	}
	y := make([]float64, g.cout*g.p)
	for co := 0; co < g.cout; co++ {
		for n := 0; n < g.n; n++ {
			for oh := 0; oh < g.ho; oh++ {
				for ow := 0; ow < g.wo; ow++ {
					var s float64
					if b != nil {
						s = b[co]
					}
					for ci := 0; ci < g.cin; ci++ {
						for i := 0; i < g.kh; i++ {
							ih := oh*g.sh - g.ph + i*g.dh
							if ih < 0 || ih >= g.h {
								continue
							}
							for j := 0; j < g.kw; j++ {
								iw := ow*g.sw - g.pw + j*g.dw
								if iw < 0 || iw >= g.w {
									continue
								}
								s += w[((co*g.cin+ci)*g.kh+i)*g.kw+j] * x[((ci*g.n+n)*g.h+ih)*g.w+iw]
							}
						}
					}
					y[((co*g.n+n)*g.ho+oh)*g.wo+ow] = s
				}
			}
		}
	}
	return y
}

// bnRef is batch norm over channel-major x [c, m] (BatchNorm2d on CNHW, or BatchNorm1d
// after transposing), followed by + res (when not nil) and ReLU (when relu). With batch
// it normalises with the batch's mean and biased variance, else with rm and rv.
func bnRef(x []float64, c int, gamma, beta, rm, rv []float64, batch bool, res []float64, relu bool) []float64 {
	m := len(x) / c
	y := make([]float64, len(x))
	for ci := 0; ci < c; ci++ {
		xc := x[ci*m : (ci+1)*m]
		mean, variance := rm[ci], rv[ci]
		if batch {
			mean, variance = 0, 0
			for _, v := range xc {
				mean += v
			}
			mean /= float64(m)
			for _, v := range xc {
				variance += (v - mean) * (v - mean)
			}
			variance /= float64(m)
		}
		for i, v := range xc {
			o := (v-mean)/math.Sqrt(variance+BNEps)*gamma[ci] + beta[ci]
			if res != nil {
				o += res[ci*m+i]
			}
			if relu {
				o = max(o, 0)
			}
			y[ci*m+i] = o
		}
	}
	return y
}

// maxPoolRef is max pooling on CNHW x of shape xs.
func maxPoolRef(x []float64, xs []int, p Pool2dParams) []float64 {
	g, err := newPoolGeom(xs, p)
	if err != nil {
		panic(err)
	}
	y := make([]float64, g.planes*g.ho*g.wo)
	for q := 0; q < g.planes; q++ {
		for oh := 0; oh < g.ho; oh++ {
			for ow := 0; ow < g.wo; ow++ {
				best := math.Inf(-1)
				for i := 0; i < g.kh; i++ {
					for j := 0; j < g.kw; j++ {
						ih, iw := oh*g.sh-g.ph+i, ow*g.sw-g.pw+j
						if ih >= 0 && ih < g.h && iw >= 0 && iw < g.w {
							best = max(best, x[(q*g.h+ih)*g.w+iw])
						}
					}
				}
				y[(q*g.ho+oh)*g.wo+ow] = best
			}
		}
	}
	return y
}

// adaptiveRef is adaptive average (avg) or max pooling of planes h×w to oh×ow.
func adaptiveRef(x []float64, planes, h, w, oh, ow int, avg bool) []float64 {
	y := make([]float64, planes*oh*ow)
	for q := 0; q < planes; q++ {
		for i := 0; i < oh; i++ {
			hs := int(math.Floor(float64(i*h) / float64(oh)))
			he := int(math.Ceil(float64((i+1)*h) / float64(oh)))
			for j := 0; j < ow; j++ {
				ws := int(math.Floor(float64(j*w) / float64(ow)))
				we := int(math.Ceil(float64((j+1)*w) / float64(ow)))
				s, best := 0.0, math.Inf(-1)
				for r := hs; r < he; r++ {
					for c := ws; c < we; c++ {
						v := x[(q*h+r)*w+c]
						s += v
						best = max(best, v)
					}
				}
				if avg {
					y[(q*oh+i)*ow+j] = s / float64((he-hs)*(we-ws))
				} else {
					y[(q*oh+i)*ow+j] = best
				}
			}
		}
	}
	return y
}

// linearRef is y = x·Wᵀ + b for x [n, in], w [out, in].
func linearRef(x []float64, n, in int, w []float64, out int, b []float64) []float64 {
	y := make([]float64, n*out)
	for i := 0; i < n; i++ {
		for o := 0; o < out; o++ {
			var s float64
			if b != nil {
				s = b[o]
			}
			for k := 0; k < in; k++ {
				s += x[i*in+k] * w[o*in+k]
			}
			y[i*out+o] = s
		}
	}
	return y
}
