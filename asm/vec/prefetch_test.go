package vec

import (
	"slices"
	"testing"
)

// Prefetch is a hint: on empty, short, unaligned and long slices, and a slice ending
// at its array's last element, it returns with every value unchanged.
func TestPrefetch(t *testing.T) {
	buf := make([]float32, 4099)
	for i := range buf {
		buf[i] = float32(i)
	}
	want := slices.Clone(buf)
	for _, r := range [][2]int{{0, 0}, {0, 1}, {3, 4}, {1, 16}, {5, 22}, {0, 4099}, {4098, 4099}, {17, 4099}} {
		Prefetch(buf[r[0]:r[1]])
	}
	if !slices.Equal(buf, want) {
		t.Fatal("Prefetch changed values")
	}
}
