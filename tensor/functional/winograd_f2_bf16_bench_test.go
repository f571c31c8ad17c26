package functional

import "testing"

// BenchmarkTuneWinogradF2BF16 compares bf16 im2col with bf16 Winograd F(2×2, 3×3) on
// ResNet34's 3×3 stride-1 layers, forward and both gradients, and F(2×2)'s chunk budget and
// minimum chunk: the measurements behind wino2Wins, wino2Budget and wino2MinTiles
// (see compareVariants for how it times; FASTGO_BENCH_BATCH, FASTGO_BENCH_THREADS,
// FASTGO_TUNE_ROUNDS apply).
func BenchmarkTuneWinogradF2BF16(b *testing.B) {
	defer withPrecision(BF16)()
	benchWinogradVariants(b, "bf16 im2col", "F(2×2)", &wino2Budget, &wino2MinTiles,
		[][2]int{{128 << 10, 96}, {256 << 10, 96}, {64 << 10, 96}, {128 << 10, 384}})
}
