package main

import (
	"fmt"
	"io"
	"maps"
	"math"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/fastgo/fastgo/nn/pth"
)

func init() {
	register(&command{
		name:    "pth-info",
		summary: "list the tensors (name, dtype, shape) of a PyTorch .pth file",
		run:     runPthInfo,
	})
}

func runPthInfo(args []string) error {
	fs := newFlagSet("pth-info", "[-stats] FILE.pth",
		"Lists the entries of a PyTorch state dict file (zip or legacy format): name, dtype,\n"+
			"shape and element count, then module versions, fastgo metadata and extra groups.\n\n"+
			"Example:\n  fastgo pth-info out/pascal/model.pth -stats")
	stats := fs.Bool("stats", false, "also print min, max and mean of each tensor")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("pth-info needs exactly one file (got %d arguments)", fs.NArg())
	}
	sd, err := pth.Load(fs.Arg(0))
	if err != nil {
		return err
	}
	printStateDict(os.Stdout, sd, *stats)
	return nil
}

// printStateDict writes the listing of sd.
func printStateDict(w io.Writer, sd *pth.StateDict, stats bool) {
	total := printTensors(w, sd.Entries, stats)
	fmt.Fprintf(w, "%d tensors, %d elements\n", len(sd.Entries), total)
	if len(sd.Versions) > 0 {
		// Module versions: one count per version, e.g. "version 1: 62, version 2: 36".
		count := map[int64]int{}
		var order []int64
		for _, v := range sd.Versions {
			if count[v.Version] == 0 {
				order = append(order, v.Version)
			}
			count[v.Version]++
		}
		sort.Slice(order, func(i, j int) bool { return order[i] < order[j] })
		parts := make([]string, len(order))
		for i, v := range order {
			parts[i] = fmt.Sprintf("version %d: %d", v, count[v])
		}
		fmt.Fprintf(w, "_metadata: %d modules (%s)\n", len(sd.Versions), strings.Join(parts, ", "))
	}
	for _, k := range slices.Sorted(maps.Keys(sd.Other)) {
		fmt.Fprintf(w, "value %s = %v\n", k, sd.Other[k])
	}
	for _, k := range slices.Sorted(maps.Keys(sd.Meta)) {
		fmt.Fprintf(w, "meta %s = %s\n", k, sd.Meta[k])
	}
	for _, g := range slices.Sorted(maps.Keys(sd.Extra)) {
		fmt.Fprintf(w, "\nextra group %q (fastgo/%s.pkl, ignored by torch):\n", g, g)
		n := printTensors(w, sd.Extra[g], stats)
		fmt.Fprintf(w, "%d tensors, %d elements\n", len(sd.Extra[g]), n)
	}
}

// printTensors writes one line per tensor and returns the total element count.
func printTensors(w io.Writer, ts []pth.Tensor, stats bool) int {
	width := 0
	for _, t := range ts {
		width = max(width, len(t.Name))
	}
	total := 0
	for i := range ts {
		t := &ts[i]
		n := t.Numel()
		total += n
		fmt.Fprintf(w, "%-*s  %-8s  %-18s %10d", width, t.Name, t.DType, fmt.Sprint(t.Shape), n)
		if stats && n > 0 {
			lo, hi, mean := summarize(t.Float32s())
			fmt.Fprintf(w, "  min %-12.6g max %-12.6g mean %.6g", lo, hi, mean)
		}
		fmt.Fprintln(w)
	}
	return total
}

// summarize returns the minimum, maximum and mean (accumulated in float64) of xs.
func summarize(xs []float32) (lo, hi, mean float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	var sum float64
	for _, x := range xs {
		v := float64(x)
		lo, hi, sum = math.Min(lo, v), math.Max(hi, v), sum+v
	}
	return lo, hi, sum / float64(len(xs))
}
