package vision

import "fmt"

// A Preprocessor prepares single images from their file bytes exactly as a validation
// Loader prepares them (SPEC §1.3–1.7): decode, fastai's Resize crop at the centre with
// PIL's bilinear resize to Resize×Resize, the identity batch transform (area pre-shrink
// and grid sample) to Size×Size, then Normalize. It is what serves a trained model one
// request at a time with the numbers of the validation pipeline: it runs the Loader's
// own stages (tested bit-identical to a validation batch).
//
// A Preprocessor reuses its buffers and is not safe for concurrent use; give each
// goroutine its own.
type Preprocessor struct {
	tr     *transformer
	plan   samplePlan
	shrink int
}

// NewPreprocessor returns a Preprocessor for o's Resize, Size, Mean and Std (the other
// fields are not used). maxPixels bounds width × height of accepted images, checked from
// the header before any pixel is decoded; 0 means DefaultMaxPixels.
func NewPreprocessor(o LoaderOptions, maxPixels int) (*Preprocessor, error) {
	if o.Resize < 1 || o.Size < 2 {
		return nil, fmt.Errorf("preprocess: resize %d and size %d must be ≥ 1 and 2", o.Resize, o.Size)
	}
	for c, s := range o.Std {
		if !(s > 0) {
			return nil, fmt.Errorf("preprocess: std[%d] = %g must be positive", c, s)
		}
	}
	if maxPixels < 0 {
		return nil, fmt.Errorf("preprocess: max pixels %d must not be negative", maxPixels)
	}
	p := &Preprocessor{tr: newTransformer(o.Resize, o.Size, o.Mean, o.Std), plan: planFor(IdentityAug())}
	p.tr.dec.MaxPixels = maxPixels
	p.shrink = resolveBatch([]samplePlan{p.plan}, o.Resize, o.Size)
	return p, nil
}

// Size is the side of the prepared images.
func (p *Preprocessor) Size() int { return p.tr.size }

// Preprocess decodes the JPEG or PNG file data and writes the prepared image into dst,
// channel planes one after the other (3×Size×Size floats, CHW). Errors say what is wrong
// with the data (not an image, a corrupt or truncated one, too many pixels); hostile
// data never panics.
func (p *Preprocessor) Preprocess(data []byte, dst []float32) error {
	sz := p.tr.size * p.tr.size
	if len(dst) != 3*sz {
		return fmt.Errorf("preprocess: destination of %d floats, want 3×%d×%d = %d", len(dst), p.tr.size, p.tr.size, 3*sz)
	}
	if err := p.tr.decode(data); err != nil {
		return err
	}
	planes := [3][]float32{dst[:sz], dst[sz : 2*sz], dst[2*sz:]}
	p.tr.validate(planes, &p.plan, p.shrink)
	return nil
}
