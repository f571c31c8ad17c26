package autograd

import (
	"fmt"
	"io"
	"sort"
	"time"
)

// Profile accumulates the time spent per operation type in the forward and backward
// passes of the graphs it is attached to (Graph.Profile), for finding the next
// bottleneck. A forward operation is charged the time since the previous operation of
// its graph finished (or since the graph's last Input), which includes the little glue
// between operations.
type Profile struct {
	Forward, Backward map[string]time.Duration
	Calls             map[string]int
	// FLOPs counts the multiply-adds ×2 of the forward convolutions and linear layers.
	FLOPs int64
}

// NewProfile returns an empty profile.
func NewProfile() *Profile {
	return &Profile{Forward: map[string]time.Duration{}, Backward: map[string]time.Duration{}, Calls: map[string]int{}}
}

// Reset clears the accumulated times.
func (p *Profile) Reset() {
	clear(p.Forward)
	clear(p.Backward)
	clear(p.Calls)
	p.FLOPs = 0
}

// Total returns the summed forward and backward time.
func (p *Profile) Total() (fwd, bwd time.Duration) {
	for _, d := range p.Forward {
		fwd += d
	}
	for _, d := range p.Backward {
		bwd += d
	}
	return
}

// Write prints one line per operation type, slowest first, with forward, backward and
// share of the total; steps divides the times into per-step figures.
func (p *Profile) Write(w io.Writer, steps int) {
	if steps < 1 {
		steps = 1
	}
	ops := map[string]bool{}
	for k := range p.Forward {
		ops[k] = true
	}
	for k := range p.Backward {
		ops[k] = true
	}
	names := make([]string, 0, len(ops))
	for k := range ops {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool {
		return p.Forward[names[i]]+p.Backward[names[i]] > p.Forward[names[j]]+p.Backward[names[j]]
	})
	f, b := p.Total()
	total := f + b
	ms := func(d time.Duration) float64 { return float64(d) / float64(steps) / 1e6 }
	fmt.Fprintf(w, "%-22s %6s %11s %11s %7s\n", "operation", "calls", "forward ms", "backward ms", "share")
	for _, n := range names {
		fmt.Fprintf(w, "%-22s %6d %11.1f %11.1f %6.1f%%\n", n, p.Calls[n]/steps, ms(p.Forward[n]), ms(p.Backward[n]),
			100*float64(p.Forward[n]+p.Backward[n])/float64(max(total, 1)))
	}
	fmt.Fprintf(w, "%-22s %6s %11.1f %11.1f %6.1f%%\n", "total", "", ms(f), ms(b), 100.0)
}
