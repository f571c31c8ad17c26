package functional

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fastgo/fastgo/tensor"
)

func TestLinearFixtures(t *testing.T) {
	forEachISA(t, func(t *testing.T) {
		for _, cfg := range []string{"linear_bias", "linear_nobias"} {
			t.Run(cfg, func(t *testing.T) {
				x, w, want := fixture(t, cfg, "x"), fixture(t, cfg, "w"), fixture(t, cfg, "y")
				dy, gx, gw := fixture(t, cfg, "gy"), fixture(t, cfg, "gx"), fixture(t, cfg, "gw")
				var b, gb *tensor.Tensor
				if cfg == "linear_bias" {
					b, gb = fixture(t, cfg, "b"), fixture(t, cfg, "gb")
				}
				y := filled(want, float32(math.NaN()))
				Linear(y, x, w, b)
				checkClose(t, "y", y, want, x.Dim(1))
				for _, acc := range []bool{false, true} {
					init := float32(math.NaN())
					wx, ww, wb := gx, gw, gb
					if acc {
						init = 1
						wx, ww = plusOne(gx), plusOne(gw)
						if b != nil {
							wb = plusOne(gb)
						}
					}
					dx, dw := filled(x, init), filled(w, init)
					var db *tensor.Tensor
					if b != nil {
						db = filled(b, init)
					}
					LinearBackward(GradOut{dx, acc}, GradOut{dw, acc}, GradOut{db, acc}, dy, x, w)
					checkClose(t, "dx", dx, wx, w.Dim(0))
					checkClose(t, "dw", dw, ww, x.Dim(0))
					if b != nil {
						checkClose(t, "db", db, wb, x.Dim(0))
					}
				}
			})
		}
	})
}

func TestLinearGradCheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	n, in, out := 3, 5, 4
	x, w, b := randT(rng, n, in), randT(rng, out, in), randT(rng, out)
	x64, w64, b64 := to64(x.Data()), to64(w.Data()), to64(b.Data())
	up := make([]float64, n*out)
	for i := range up {
		up[i] = rng.NormFloat64()
	}
	loss := func() float64 { return dot64(up, linearRef(x64, n, in, w64, out, b64)) }
	yref := linearRef(x64, n, in, w64, out, b64)
	gx, gw, gb := numGrad(loss, x64, 1e-6), numGrad(loss, w64, 1e-6), numGrad(loss, b64, 1e-6)
	forEachISA(t, func(t *testing.T) {
		y := tensor.New(n, out)
		Linear(y, x, w, b)
		checkGrad(t, "y", y.Data(), yref)
		dx, dw, db := tensor.New(n, in), tensor.New(out, in), tensor.New(out)
		LinearBackward(Overwrite(dx), Overwrite(dw), Overwrite(db), tensor.FromData(to32(up), n, out), x, w)
		checkGrad(t, "dx", dx.Data(), gx)
		checkGrad(t, "dw", dw.Data(), gw)
		checkGrad(t, "db", db.Data(), gb)
	})
}
