package vision

import "testing"

// BenchmarkAugmentStages times the batch-transform stages of one 460 → 224 image.
func BenchmarkAugmentStages(b *testing.B) {
	src := NewRGB(460, 460)
	for i := range src.Pix {
		src.Pix[i] = uint8(i * 31 >> 3)
	}
	tr := newTransformer(460, 224, ImageNetMean, ImageNetStd)
	out := make([]float32, 3*224*224)
	planes := [3][]float32{out[:224*224], out[224*224 : 2*224*224], out[2*224*224:]}
	p := AugParams{Flip: -1, Rotate: 7, Zoom: 1.05, CX: 0.3, CY: 0.6, WarpX: 0.1, WarpY: -0.15, Brightness: 0.45, Contrast: 1.1}
	pl := planFor(p)
	fimg := make([]float32, 3*460*460)
	var sc shrinkScratch
	b.Run("areaShrink", func(b *testing.B) {
		for b.Loop() {
			areaShrink(fimg, src, 448, &sc)
		}
	})
	b.Run("sample", func(b *testing.B) {
		for b.Loop() {
			sampleImage(planes, 224, fimg, 448, 448, &pl)
		}
	})
	b.Run("lighting", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			sampleImage(planes, 224, fimg, 448, 448, &pl)
			b.StartTimer()
			applyLighting(planes, p.Brightness, p.Contrast)
		}
	})
	b.Run("normalize", func(b *testing.B) {
		for b.Loop() {
			normalizePlanes(planes, ImageNetMean, ImageNetStd)
		}
	})
	b.Run("all", func(b *testing.B) {
		for b.Loop() {
			tr.augment(planes, src, &pl, 448, true, p.Brightness, p.Contrast)
		}
	})
}
