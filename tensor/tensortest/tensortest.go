// Package tensortest holds the comparison helpers fastgo's tests share: element-wise
// closeness within absolute and relative tolerances, reporting the largest difference
// and where it occurs.
package tensortest

import (
	"fmt"
	"math"
	"testing"

	"github.com/fastgo/fastgo/tensor"
)

// Diff describes the worst element of a comparison.
type Diff struct {
	Index     int     // flat index of the worst element
	Got, Want float64 // values there
	Abs       float64 // |got-want| there
	Excess    float64 // |got-want| / (atol + rtol·|want|); > 1 fails
}

// Compare finds the element of got and want that most exceeds atol + rtol·|want|.
// NaN in either counts as an infinite excess unless both are NaN.
func Compare(got, want []float64, atol, rtol float64) Diff {
	var d Diff
	d.Index = -1
	for i := range want {
		g, w := got[i], want[i]
		var ex, ab float64
		switch {
		case math.IsNaN(g) && math.IsNaN(w):
			continue
		case math.IsNaN(g) || math.IsNaN(w):
			ex, ab = math.Inf(1), math.Inf(1)
		case g == w:
			continue
		default:
			ab = math.Abs(g - w)
			ex = ab / (atol + rtol*math.Abs(w))
		}
		if d.Index < 0 || ex > d.Excess {
			d = Diff{Index: i, Got: g, Want: w, Abs: ab, Excess: ex}
		}
	}
	return d
}

func to64(x []float32) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = float64(v)
	}
	return out
}

// AllClose fails t unless got and want have equal shapes and every element satisfies
// |got-want| <= atol + rtol·|want|; the message names the worst element.
func AllClose(t testing.TB, name string, got, want *tensor.Tensor, atol, rtol float64) {
	t.Helper()
	if !tensor.SameShape(got, want) {
		t.Errorf("%s: shape %v, want %v", name, got.Shape(), want.Shape())
		return
	}
	AllClose64(t, name, to64(got.Data()), to64(want.Data()), atol, rtol)
}

// AllCloseSlices is AllClose for float32 slices of equal length.
func AllCloseSlices(t testing.TB, name string, got, want []float32, atol, rtol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: length %d, want %d", name, len(got), len(want))
		return
	}
	AllClose64(t, name, to64(got), to64(want), atol, rtol)
}

// AllClose64 is AllClose for float64 slices of equal length.
func AllClose64(t testing.TB, name string, got, want []float64, atol, rtol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: length %d, want %d", name, len(got), len(want))
		return
	}
	d := Compare(got, want, atol, rtol)
	if d.Index >= 0 && d.Excess > 1 {
		t.Errorf("%s: element %d is %.9g, want %.9g (|diff| %.3g > atol %.3g + rtol %.3g·|want|)",
			name, d.Index, d.Got, d.Want, d.Abs, atol, rtol)
	}
}

// MaxDiff returns a printable summary of the largest absolute difference.
func MaxDiff(got, want []float32) string {
	var m float64
	at := -1
	for i := range want {
		if d := math.Abs(float64(got[i]) - float64(want[i])); d > m || at < 0 {
			m, at = d, i
		}
	}
	return fmt.Sprintf("max |diff| %.3g at %d", m, at)
}
