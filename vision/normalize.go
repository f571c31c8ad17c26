package vision

// ImageNetMean and ImageNetStd are fastai's imagenet_stats, the per-channel (R, G, B)
// statistics Normalize uses with a pretrained model (SPEC §1.7).
var (
	ImageNetMean = [3]float32{0.485, 0.456, 0.406}
	ImageNetStd  = [3]float32{0.229, 0.224, 0.225}
)

// normalizePlanes applies x = (x - mean[c]) / std[c] to each channel plane in place.
func normalizePlanes(planes [3][]float32, mean, std [3]float32) {
	for c, p := range planes {
		m, s := mean[c], std[c]
		for i, x := range p {
			p[i] = (x - m) / s
		}
	}
}

// Denormalize8 turns one normalised value back into an 8-bit intensity as fastai's
// show_batch does: x·std + mean, clamped to [0,1], times 255, truncated.
func Denormalize8(x, mean, std float32) uint8 {
	v := x*std + mean
	v = min(max(v, 0), 1)
	return uint8(v * 255)
}
