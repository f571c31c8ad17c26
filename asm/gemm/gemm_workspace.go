package gemm

import "sync"

// workspace holds one worker's packing buffers for panels of element type E: Ã
// (MC×KC), B̃ (KC×NC) and the MR×NR float32 tile that edge tiles are computed into.
//
// Workspaces live on a free list per element type that is never emptied (unlike a
// sync.Pool, which the garbage collector drains), so a GEMM on the hot path allocates
// nothing once as many workspaces exist as GEMMs have run at the same time. Each holds
// about 1.2 MiB with the AVX-512 blocking.
type workspace[E float32 | uint32] struct {
	a, b []E
	tile []float32
}

// freeList is a mutex-guarded stack of free items.
type freeList[T any] struct {
	sync.Mutex
	list []T
}

// The free workspaces of the float32 and the bf16 GEMMs.
var (
	freeWorkspaces     freeList[*workspace[float32]]
	freeBF16Workspaces freeList[*workspace[uint32]]
)

// freeWorkspacesOf returns the free list for workspaces of element type E.
func freeWorkspacesOf[E float32 | uint32]() *freeList[*workspace[E]] {
	var l any = &freeWorkspaces
	var zero E
	if _, ok := any(zero).(uint32); ok {
		l = &freeBF16Workspaces
	}
	return l.(*freeList[*workspace[E]])
}

// getWorkspace returns a free workspace with buffers large enough for g's blocking.
func (g *tiles[E]) getWorkspace() *workspace[E] {
	f := freeWorkspacesOf[E]()
	f.Lock()
	var ws *workspace[E]
	if n := len(f.list); n > 0 {
		ws = f.list[n-1]
		f.list = f.list[:n-1]
	}
	f.Unlock()
	if ws == nil {
		ws = new(workspace[E])
	}
	ws.a = grow(ws.a, roundUp(g.mc, g.mr)*g.kc)
	ws.b = grow(ws.b, roundUp(g.nc, g.nr)*g.kc)
	ws.tile = grow(ws.tile, g.mr*g.nr)
	return ws
}

// putWorkspace returns ws to its free list.
func putWorkspace[E float32 | uint32](ws *workspace[E]) {
	f := freeWorkspacesOf[E]()
	f.Lock()
	f.list = append(f.list, ws)
	f.Unlock()
}

// grow returns s resliced to length n, reallocated only when its capacity is short.
func grow[E float32 | uint32](s []E, n int) []E {
	if cap(s) < n {
		return make([]E, n)
	}
	return s[:n]
}

// scratch is a float32 buffer for results computed transposed (see gemmSwapped), kept
// on its own free list.
type scratch struct{ buf []float32 }

var freeScratch struct {
	sync.Mutex
	list []*scratch
}

func getScratch(n int) *scratch {
	f := &freeScratch
	f.Lock()
	var s *scratch
	if l := len(f.list); l > 0 {
		s = f.list[l-1]
		f.list = f.list[:l-1]
	}
	f.Unlock()
	if s == nil {
		s = new(scratch)
	}
	s.buf = grow(s.buf, n)
	return s
}

func putScratch(s *scratch) {
	f := &freeScratch
	f.Lock()
	f.list = append(f.list, s)
	f.Unlock()
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

func ceilDiv(x, m int) int { return (x + m - 1) / m }
