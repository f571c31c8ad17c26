package autograd

import (
	"runtime"
	"testing"
	"unsafe"
)

// TestHugePoolReusesAndUnmaps checks the huge-page pool: large buffers are mapped (on
// Linux, 2 MiB-aligned), zeroed, reused after put, and unmapped by Drop; small ones come
// from the heap.
func TestHugePoolReusesAndUnmaps(t *testing.T) {
	p := newHugePool()
	n := mappedMin/4 + 12345
	b := p.get(n)
	if len(b) != n {
		t.Fatalf("len %d, want %d", len(b), n)
	}
	for i, v := range b {
		if v != 0 {
			t.Fatalf("fresh buffer b[%d] = %v, want 0", i, v)
		}
	}
	b[0], b[n-1] = 1, 2
	linux := runtime.GOOS == "linux"
	if _, mapped := p.mapped[&b[0]]; mapped != linux {
		t.Fatalf("buffer mapped = %v on %s", mapped, runtime.GOOS)
	}
	if linux && uintptr(unsafe.Pointer(&b[0]))%hugePage != 0 {
		t.Fatalf("mapped buffer at %p is not 2 MiB-aligned", &b[0])
	}
	p.put(b)
	c := p.get(n)
	if &c[0] != &b[0] || c[0] != 1 || c[n-1] != 2 {
		t.Fatalf("second get did not return the pooled buffer")
	}
	small := p.get(100)
	if _, mapped := p.mapped[&small[0]]; mapped {
		t.Fatalf("a 400-byte buffer was mapped")
	}
	if got, want := p.AllocatedBytes(), int64(4*(n+100)); got != want {
		t.Fatalf("AllocatedBytes = %d, want %d", got, want)
	}
	p.put(c)
	p.put(small)
	p.Drop()
	if len(p.mapped) != 0 {
		t.Fatalf("Drop left %d mappings", len(p.mapped))
	}
	d := p.get(n)
	if d[0] != 0 || d[n-1] != 0 {
		t.Fatalf("buffer after Drop is not fresh")
	}
	if ProcessPool() != ProcessPool() {
		t.Fatalf("ProcessPool returned two pools")
	}
}
