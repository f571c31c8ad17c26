package vision

import (
	"math"
	"testing"
)

// TestFastMath checks log32 and exp32 against float64 math over the lighting's range,
// in units in the last place of float32.
func TestFastMath(t *testing.T) {
	ulp := func(got float32, want float64) float64 {
		return math.Abs(float64(got)-want) / math.Abs(float64(math.Nextafter32(float32(want), float32(math.Inf(1)))-float32(want)))
	}
	worst := 0.0
	for x := float32(1e-7); x < 2e7; x *= 1.000137 {
		worst = math.Max(worst, ulp(log32(x), math.Log(float64(x))))
	}
	if worst > 2.5 {
		t.Errorf("log32: worst error %.2f ulp", worst)
	}
	t.Logf("log32 worst %.2f ulp", worst)
	worst = 0
	for x := float32(-30); x < 30; x += 0.000713 {
		worst = math.Max(worst, ulp(exp32(x), math.Exp(float64(x))))
	}
	if worst > 2.5 {
		t.Errorf("exp32: worst error %.2f ulp", worst)
	}
	t.Logf("exp32 worst %.2f ulp", worst)
}

func BenchmarkLighting(b *testing.B) {
	p := make([]float32, 224*224)
	for i := range p {
		p[i] = float32(i%255) / 255
	}
	planes := [3][]float32{p, p, p}
	for b.Loop() {
		applyLighting(planes, 0.45, 1.1)
	}
}

// TestFastMathX4 checks the four-lane versions are bit-identical to the scalar ones.
func TestFastMathX4(t *testing.T) {
	for x := float32(1e-7); x < 2e7; x *= 1.0137 {
		a, b, c, d := log32x4(x, x*1.5, x*0.3, x*7)
		if a != log32(x) || b != log32(x*1.5) || c != log32(x*0.3) || d != log32(x*7) {
			t.Fatalf("log32x4 differs from log32 near %g", x)
		}
	}
	for x := float32(-30); x < 30; x += 0.0173 {
		a, b, c, d := exp32x4(x, -x, x*0.5, x+0.25)
		if a != exp32(x) || b != exp32(-x) || c != exp32(x*0.5) || d != exp32(x+0.25) {
			t.Fatalf("exp32x4 differs from exp32 near %g", x)
		}
	}
}
