package functional

import (
	"fmt"
	"os"
	"strings"

	"github.com/fastgo/fastgo/asm/cpu"
)

// ConvAlgo selects how 3×3 stride-1 convolutions (forward, and the input gradient,
// which is one) are computed.
type ConvAlgo int

const (
	// ConvAuto picks per layer shape from measurements (winogradWins).
	ConvAuto ConvAlgo = iota
	// ConvIm2col always uses im2col + GEMM: the exact float32 sum of the 9·Cin products.
	ConvIm2col
	// ConvWinograd uses Winograd F(4×4, 3×3) for every eligible layer: 4× fewer
	// multiplications, with a rounding error about ten times im2col's (see winograd.go).
	ConvWinograd
)

// String returns the name FASTGO_CONV and the -conv flags use.
func (a ConvAlgo) String() string {
	switch a {
	case ConvIm2col:
		return "im2col"
	case ConvWinograd:
		return "winograd"
	}
	return "auto"
}

// ParseConvAlgo parses auto, im2col or winograd.
func ParseConvAlgo(s string) (ConvAlgo, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "auto", "":
		return ConvAuto, nil
	case "im2col":
		return ConvIm2col, nil
	case "winograd":
		return ConvWinograd, nil
	}
	return ConvAuto, fmt.Errorf("unknown convolution algorithm %q (want auto, im2col or winograd)", s)
}

// convAlgo is the selected algorithm: FASTGO_CONV at start-up, or SetConvAlgo.
var convAlgo, convAlgoErr = ParseConvAlgo(os.Getenv("FASTGO_CONV"))

// ConvAlgoErr reports why FASTGO_CONV could not be honoured (the algorithm is then
// auto), or nil; commands print it as an error.
func ConvAlgoErr() error {
	if convAlgoErr != nil {
		return fmt.Errorf("FASTGO_CONV: %w", convAlgoErr)
	}
	return nil
}

// SetConvAlgo selects the algorithm for 3×3 stride-1 convolutions (the -conv flag). It
// must not race with running convolutions.
func SetConvAlgo(a ConvAlgo) { convAlgo = a }

// CurrentConvAlgo reports the selected algorithm.
func CurrentConvAlgo() ConvAlgo { return convAlgo }

// winogradEligible reports whether F(4×4, 3×3) computes this convolution: a 3×3 kernel,
// stride 1, dilation 1 and padding at most 2 (the tile's input window reaches two
// columns past its outputs).
func (g *convGeom) winogradEligible() bool {
	return g.kh == 3 && g.kw == 3 && g.sh == 1 && g.sw == 1 && g.dh == 1 && g.dw == 1 &&
		g.ph <= 2 && g.pw <= 2 && g.p > 0
}

// winogradChosen reports whether g runs as a Winograd variant computed in precision p:
// only an eligible geometry (winogradEligible) in that precision; never with
// FASTGO_CONV (or -conv) im2col, always with winograd, and with auto where wins says
// the variant measured faster than im2col for this shape on the active path.
func (g *convGeom) winogradChosen(p Precision, wins func(*convGeom) bool) bool {
	if !g.winogradEligible() || CurrentPrecision() != p {
		return false
	}
	switch convAlgo {
	case ConvIm2col:
		return false
	case ConvWinograd:
		return true
	}
	return wins(g)
}

// useWinograd reports whether the forward convolution of g runs as Winograd: an
// eligible geometry in FP32 precision (BF16 uses F(2×2, 3×3) instead, see
// useWinogradF2BF16: rounding F(4×4)'s transformed operands to bf16 would add their
// amplified error on top).
func (g *convGeom) useWinograd() bool { return g.winogradChosen(FP32, winogradWins) }

// winogradWins reports whether Winograd measured faster than im2col for this layer
// shape on the active path. Measured with BenchmarkTuneWinograd (batch 16, one thread,
// thread CPU time, best of interleaved rounds, Zen 5, shared machine; effective
// GFLOP/s = the direct convolution's FLOPs / time, im2col → Winograd):
//
//	layer (Cin=Cout, H=W)   AVX-512 forward / input grad   AVX2 forward / input grad
//	layer1 (64, 56)         145 → 275 / 155 → 290          59 → 120 / 57 → 121
//	layer2 (128, 28)        145 → 300 / 145 → 290          70 → 134 / 67 → 142
//	layer3 (256, 14)        150 → 190 / 145 → 175          80 → 128 / 77 → 124
//	layer4 (512, 7)         142 → 160 / 117 → 120          70 → 90  / 72 → 71
//
// so with SIMD transforms every eligible shape takes Winograd (layer4's input gradient
// ties). The NEON transforms are tested (under qemu) but not measured on arm64
// hardware, so auto keeps im2col there, as on the generic path, whose Go-twin
// transforms measured 1.5–3× slower than im2col on these shapes; -conv winograd (or
// FASTGO_CONV=winograd) uses them anyway.
func winogradWins(g *convGeom) bool {
	return cpu.Active() == cpu.AVX512 || cpu.Active() == cpu.AVX2
}
