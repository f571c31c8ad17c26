package asm

import "sync"

// workspace holds one worker's packing buffers: Ã (MC×KC), B̃ (KC×NC) and the MR×NR
// tile that edge tiles are computed into. Workspaces are pooled, so a GEMM on the hot
// path allocates nothing once the pool is warm.
type workspace struct {
	a, b, tile []float32
}

var workspaces = sync.Pool{New: func() any { return new(workspace) }}

// getWorkspace returns a pooled workspace with buffers large enough for g's blocking.
func getWorkspace(g *gemmKernel) *workspace {
	ws := workspaces.Get().(*workspace)
	ws.a = grow(ws.a, roundUp(g.mc, g.mr)*g.kc)
	ws.b = grow(ws.b, roundUp(g.nc, g.nr)*g.kc)
	ws.tile = grow(ws.tile, g.mr*g.nr)
	return ws
}

func putWorkspace(ws *workspace) { workspaces.Put(ws) }

// grow returns s resliced to length n, reallocated only when its capacity is short.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// scratch is a pooled float32 buffer for results computed transposed (see gemmSwapped).
type scratch struct{ buf []float32 }

var scratches = sync.Pool{New: func() any { return new(scratch) }}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

func ceilDiv(x, m int) int { return (x + m - 1) / m }
