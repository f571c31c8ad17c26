package gemm

import "sync"

// workspace holds one worker's packing buffers: Ã (MC×KC), B̃ (KC×NC) and the MR×NR
// tile that edge tiles are computed into.
//
// Workspaces live on a free list that is never emptied (unlike a sync.Pool, which the
// garbage collector drains), so a GEMM on the hot path allocates nothing once as many
// workspaces exist as GEMMs have run at the same time. Each holds about 1.2 MiB with
// the AVX-512 blocking.
type workspace struct {
	a, b, tile []float32
}

var freeWorkspaces struct {
	sync.Mutex
	list []*workspace
}

// getWorkspace returns a free workspace with buffers large enough for g's blocking.
func getWorkspace(g *gemmKernel) *workspace {
	f := &freeWorkspaces
	f.Lock()
	var ws *workspace
	if n := len(f.list); n > 0 {
		ws = f.list[n-1]
		f.list = f.list[:n-1]
	}
	f.Unlock()
	if ws == nil {
		ws = new(workspace)
	}
	ws.a = grow(ws.a, roundUp(g.mc, g.mr)*g.kc)
	ws.b = grow(ws.b, roundUp(g.nc, g.nr)*g.kc)
	ws.tile = grow(ws.tile, g.mr*g.nr)
	return ws
}

// putWorkspace returns ws to the free list.
func putWorkspace(ws *workspace) {
	f := &freeWorkspaces
	f.Lock()
	f.list = append(f.list, ws)
	f.Unlock()
}

// grow returns s resliced to length n, reallocated only when its capacity is short.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
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
