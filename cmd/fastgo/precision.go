package main

import (
	"flag"
	"fmt"

	"github.com/fastgo/fastgo/tensor/functional"
)

// precisionHelp is the -precision flag's help text.
const precisionHelp = "arithmetic of the convolutions and linear layers: fp32, or bf16 (operands rounded to bfloat16, " +
	"float32 accumulation; needs AVX512_BF16 or Arm BF16; weights, optimiser, batch norm, loss and metrics stay float32, models are saved as float32)"

// addPrecisionFlag registers -precision (default fp32) on fs.
func addPrecisionFlag(fs *flag.FlagSet) *string {
	return fs.String("precision", "fp32", precisionHelp)
}

// setPrecision parses a -precision value, checks that this CPU and SIMD path run it
// (bf16 without bf16 instructions is an error naming the missing feature, never a
// silent fallback to the slow Go twin) and makes it the process's precision.
func setPrecision(s string) (functional.Precision, error) {
	p, err := functional.ParsePrecision(s)
	if err != nil {
		return p, usagef("-precision: %v", err)
	}
	if err := functional.CheckPrecision(p); err != nil {
		return p, fmt.Errorf("-precision %v: %w", p, err)
	}
	functional.SetPrecision(p)
	return p, nil
}
