package main

import (
	"flag"

	"github.com/fastgo/fastgo/tensor/functional"
)

// addConvFlag registers -conv, the algorithm of the 3×3 stride-1 convolutions, on a
// command that trains or predicts; parseFlags applies it. Its default is FASTGO_CONV's
// value (auto when unset).
func addConvFlag(fs *flag.FlagSet) {
	fs.String("conv", functional.CurrentConvAlgo().String(),
		"3×3 stride-1 convolutions: auto (per layer shape, from measurements), im2col (exact) or winograd (F(4×4,3×3), 4× fewer multiplications; in bf16 F(2×2,3×3), 2.25× fewer); default $FASTGO_CONV or auto")
}

// applyConvFlag sets the convolution algorithm from fs's -conv, when it has one.
func applyConvFlag(fs *flag.FlagSet) error {
	f := fs.Lookup("conv")
	if f == nil {
		return nil
	}
	a, err := functional.ParseConvAlgo(f.Value.String())
	if err != nil {
		return usagef("-conv: %v", err)
	}
	functional.SetConvAlgo(a)
	return nil
}
