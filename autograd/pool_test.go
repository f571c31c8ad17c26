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

// getFit hands out a free buffer of the exact length first, else the shortest free one
// up to fitRatio times longer, else a new one; small requests only ever get their own
// length. A NoGrad graph's Alloc takes buffers that way and gives the whole buffer back.
func TestPoolGetFit(t *testing.T) {
	p := NewPool()
	n := fitMin
	long, longer, huge := p.get(3*n), p.get(5*n), p.get((fitRatio+1)*n)
	exact := p.get(n)
	for _, b := range [][]float32{long, longer, huge, exact} {
		p.put(b)
	}
	if b := p.getFit(n); &b[0] != &exact[0] {
		t.Fatalf("getFit(%d) did not take the free buffer of that length", n)
	}
	if b := p.getFit(n); &b[0] != &long[0] || len(b) != 3*n {
		t.Fatalf("getFit(%d) took a buffer of %d floats, want the shortest longer one (%d)", n, len(b), 3*n)
	}
	if b := p.getFit(n); &b[0] != &longer[0] {
		t.Fatalf("getFit(%d) did not take the %d-float buffer", n, 5*n)
	}
	before := p.AllocatedBytes()
	if b := p.getFit(n); &b[0] == &huge[0] || len(b) != n || p.AllocatedBytes() != before+int64(4*n) {
		t.Fatalf("getFit(%d) took a buffer more than %d times longer instead of a new one", n, fitRatio)
	}
	small := p.get(100)
	p.put(small)
	if b := p.getFit(50); len(b) != 50 || &b[0] == &small[0] {
		t.Fatalf("getFit(50) took a longer buffer: small requests keep exact lengths")
	}

	g := NewGraph(p, NoGrad)
	x := g.Alloc(2 * n)
	if &x.Data()[0] != &huge[0] || x.Len() != 2*n {
		t.Fatalf("a NoGrad graph's Alloc(%d) did not take the free %d-float buffer", 2*n, len(huge))
	}
	g.Release()
	if b := p.get(len(huge)); &b[0] != &huge[0] {
		t.Fatalf("Release did not give the whole buffer back under its own length")
	}
}
