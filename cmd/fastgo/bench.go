package main

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/fastgo/fastgo/asm/cpu"
)

// parseCounts reads the comma-separated positive integers given to -name; what names
// one of them in the error ("thread count").
func parseCounts(name, what, list string) ([]int, error) {
	var out []int
	for _, s := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, usagef("-%s: bad %s %q", name, what, s)
		}
		out = append(out, n)
	}
	return out, nil
}

// parseISA reads a SIMD path name given to -name and checks that this CPU runs it.
func parseISA(name, s string) (cpu.ISA, error) {
	isa, err := cpu.ParseISA(strings.TrimSpace(s))
	if err != nil {
		return isa, usagef("-%s: %v", name, err)
	}
	if !cpu.Supported(isa) {
		return isa, usagef("-%s %s: not available on this CPU (available: %v)", name, isa, cpu.Available())
	}
	return isa, nil
}

// benchKind is one "fastgo bench <kind>" measurement.
type benchKind struct {
	name    string
	summary string
	run     func(args []string) error
}

var benchKinds = map[string]*benchKind{}

// registerBench adds a benchmark kind; each lives in its own file.
func registerBench(b *benchKind) { benchKinds[b.name] = b }

func init() {
	register(&command{
		name:    "bench",
		summary: "measure kernels, layers, the training step or the data loader",
		run: func(args []string) error {
			if len(args) == 0 || args[0] == "-h" || args[0] == "help" || args[0] == "--help" {
				fmt.Println("usage: fastgo bench <kind> [flags]\n\nkinds:")
				names := make([]string, 0, len(benchKinds))
				for n := range benchKinds {
					names = append(names, n)
				}
				sort.Strings(names)
				for _, n := range names {
					fmt.Printf("  %-12s %s\n", n, benchKinds[n].summary)
				}
				fmt.Println("\n\"fastgo bench <kind> -h\" shows a kind's flags.\n\nExample:\n  fastgo bench train-step -arch resnet50 -bs 16 -threads 2")
				if len(args) == 0 {
					return usagef("missing benchmark kind")
				}
				return nil
			}
			k := benchKinds[args[0]]
			if k == nil {
				return usagef("unknown benchmark kind %q (run \"fastgo bench help\")", args[0])
			}
			return k.run(args[1:])
		},
	})
}
