// Package vision is fastgo's image data pipeline: fastai's ImageDataLoaders.from_df /
// COCO-JSON sources, the Resize(460) item transform, aug_transforms(size=224) and
// Normalize as batch transforms, a parallel deterministic loader, and show_batch
// grids. SPEC §1 and §9 are the contract; the numbers below are checked by the tests
// against PIL and a torch re-statement of fastai's maths (testdata/make_fixtures.py).
//
// # Per-image pipeline
//
//		file ─ Decoder ─► RGB ─ CropBox + Resizer ─► res×res uint8 (res = 460)
//		     ─ area pre-shrink (460 → 448, float) ─ affine+warp grid sample ─► size×size planes
//		     ─ lighting (train only) ─ Normalize ─► batch tensor [3, B, size, size]
//
//	  - Decoding: image/jpeg and image/png from the standard library (no pure-Go JPEG
//	    decoder faster than image/jpeg was reachable), then libjpeg's fancy chroma
//	    upsampling and fixed-point YCbCr→RGB. Against PIL (libjpeg-turbo, ISLOW IDCT) the
//	    remaining difference is the IDCT: at most 2–3 LSBs, mean ≈ 0.03 on the fixtures.
//	  - Resize: fastai's crop geometry (CropBox: random offsets in training, centre in
//	    validation) and Pillow's BILINEAR resampling implemented bit-exactly (Resizer).
//	  - Batch transforms: one affine matrix M = F·R·Z and one perspective homography per
//	    image, composed into a single bilinear grid sample with reflection padding and
//	    align_corners=True, preceded by _grid_sample's batch-wide area pre-shrink rule,
//	    then fastai's logit-space lighting and Normalize. Results match torch to ~3e-6.
//
// The batch-wide rules of fastai (the pre-shrink decision and the zero-denominator
// check of the warp) depend on all images of a batch, so the loader draws every
// image's parameters first, resolves the batch, and only then hands images to workers.
package vision
