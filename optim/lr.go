package optim

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// LR is a learning rate as fastai's fit methods take it: a single float, slice(hi),
// slice(lo, hi), or an explicit list with one value per group. The zero LR means "not
// given" (the learner then uses its default lr).
type LR struct {
	kind   lrKind
	lo, hi float64
	list   []float64
}

type lrKind int

const (
	lrNone lrKind = iota
	lrFloat
	lrSliceHi
	lrSliceRange
	lrList
)

// LRValue is the float x: every group gets x.
func LRValue(x float64) LR { return LR{kind: lrFloat, hi: x} }

// LRSlice is slice(None, hi): the last group gets hi and every other group hi/10.
func LRSlice(hi float64) LR { return LR{kind: lrSliceHi, hi: hi} }

// LRRange is slice(lo, hi): even_mults(lo, hi, n) over the n groups.
func LRRange(lo, hi float64) LR { return LR{kind: lrSliceRange, lo: lo, hi: hi} }

// LRList gives each group its own learning rate (one value is broadcast to all groups).
func LRList(v ...float64) LR { return LR{kind: lrList, list: append([]float64(nil), v...)} }

// IsZero reports whether lr was not given.
func (lr LR) IsZero() bool { return lr.kind == lrNone }

// Spread returns one learning rate per group for n groups (fastai's set_hyper, SPEC §3):
// a float x gives [x…]; slice(hi) gives [hi/10, …, hi/10, hi]; slice(lo, hi) gives
// even_mults(lo, hi, n).
func (lr LR) Spread(n int) ([]float64, error) {
	if n < 1 {
		return nil, fmt.Errorf("optim: cannot spread a learning rate over %d groups", n)
	}
	out := make([]float64, n)
	switch lr.kind {
	case lrFloat:
		for i := range out {
			out[i] = lr.hi
		}
	case lrSliceHi:
		for i := range out {
			out[i] = lr.hi / 10
		}
		out[n-1] = lr.hi
	case lrSliceRange:
		if !(lr.lo > 0 && lr.hi > 0) {
			return nil, fmt.Errorf("optim: %v needs positive bounds", lr)
		}
		return EvenMults(lr.lo, lr.hi, n), nil
	case lrList:
		switch len(lr.list) {
		case 1:
			for i := range out {
				out[i] = lr.list[0]
			}
		case n:
			copy(out, lr.list)
		default:
			return nil, fmt.Errorf("optim: %d learning rates for %d groups", len(lr.list), n)
		}
	default:
		return nil, fmt.Errorf("optim: no learning rate given")
	}
	return out, nil
}

// EvenMults is fastcore's even_mults(start, stop, n): n values from start to stop in
// equal ratios, start·step^i with step = (stop/start)^(1/(n−1)), in float64; for n = 1
// it is [stop].
func EvenMults(start, stop float64, n int) []float64 {
	if n == 1 {
		return []float64{stop}
	}
	step := math.Pow(stop/start, 1/float64(n-1))
	out := make([]float64, n)
	for i := range out {
		out[i] = start * math.Pow(step, float64(i))
	}
	return out
}

// String writes lr the way Python would show the argument.
func (lr LR) String() string {
	switch lr.kind {
	case lrFloat:
		return PyFloat(lr.hi)
	case lrSliceHi:
		return "slice(None, " + PyFloat(lr.hi) + ", None)"
	case lrSliceRange:
		return "slice(" + PyFloat(lr.lo) + ", " + PyFloat(lr.hi) + ", None)"
	case lrList:
		s := make([]string, len(lr.list))
		for i, v := range lr.list {
			s[i] = PyFloat(v)
		}
		return "[" + strings.Join(s, ", ") + "]"
	}
	return "None"
}

// PyFloat formats x as Python's repr(float) does: the shortest digits that read back
// as x, in positional notation for exponents -4…15 (always with a decimal point) and as
// 1e-05 / 1e+16 style otherwise; nan, inf, -inf.
func PyFloat(x float64) string {
	switch {
	case math.IsNaN(x):
		return "nan"
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	case x == 0:
		if math.Signbit(x) {
			return "-0.0"
		}
		return "0.0"
	}
	e := strconv.FormatFloat(x, 'e', -1, 64) // d.ddde±XX
	exp, _ := strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	if exp < -4 || exp >= 16 {
		return e
	}
	s := strconv.FormatFloat(x, 'f', -1, 64)
	if !strings.ContainsRune(s, '.') {
		s += ".0"
	}
	return s
}
