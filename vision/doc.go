// Package vision is fastgo's image data pipeline: fastai's ImageDataLoaders.from_df,
// from_folder and COCO-JSON sources, the IDX files of MNIST and Fashion-MNIST, the
// Resize(460) item transform, aug_transforms(size=224) and
// Normalize as batch transforms, a parallel deterministic loader, and show_batch /
// show_results grids. SPEC §1 and §9 are the contract. The tests check the numbers
// against PIL and a torch re-statement of fastai's maths (testdata/make_fixtures.py;
// the tests themselves need neither).
//
// # Using it
//
//	ds, err := vision.FromCSV("../shared/data/pascal_2007/train.csv", vision.DefaultCSV())
//	dls, err := vision.NewDataLoaders(ds, vision.DefaultLoader()) // bs 64, 460 → 224
//	for b, err := range dls.Train.Epoch(epoch) {
//		if err != nil { ... }            // an unreadable image names its CSV line and file
//		step(b.X, b.Y)                   // X [3, N, 224, 224] channel-major, Y [N, 20]
//		b.Release()                      // give the buffer back
//	}
//
// Commands read the same options through AddDataFlags (-data DIR, -csv or -json inside
// it, the columns, the loader sizes), which programs can register too. FromCOCO reads train.json /
// valid.json instead of the CSV, and ShowBatch / ShowResults / Grid draw PNG grids.
//
// Single-label data (one class per image) uses the same Dataset, Item and Batch, with
// exactly one label per item and one-hot target rows: FromFolder reads class-named
// sub-folders (fastai's from_folder, with train/valid folders or a seeded random
// valid_pct split, RandomSplit), FromCSV with LabelDelim "" reads one label per row
// (and splits at random with ValidPct when there is no valid column), and IDXItems
// reads MNIST-style IDX files (gzipped or not) into in-memory items (Item.Image), grey
// converted to RGB as fastai's PILImage.create does.
// The sub-package synth writes the built-in sample data set.
//
// # Per-image pipeline
//
//	file ─ Decoder ─► RGB ─ CropBox + Resizer ─► 460×460 uint8
//	     ─ area pre-shrink (460 → 448, float) ─ affine+warp grid sample ─► 224×224 planes
//	     ─ lighting (training only) ─ Normalize ─► the image's planes of the batch tensor
//
// The stages:
//
//   - Decoding: image/jpeg and image/png from the standard library, then libjpeg's fancy
//     chroma upsampling and fixed-point YCbCr→RGB, as PIL's libjpeg-turbo does. No
//     faster pure-Go JPEG decoder could be reached through the module proxy (the
//     wasm-based gen2brain/jpegli is not served), so image/jpeg stays: about 1.3 ms for
//     a VOC image. Against PIL the IDCT still differs (Go's is not libjpeg's ISLOW): at
//     most 2–3 LSBs and a mean of about 0.03 on the fixtures.
//   - Resize: fastai's crop geometry (CropBox: random offsets in training, centre in
//     validation) and Pillow's BILINEAR resampling, bit-exact (Resizer).
//   - Batch transforms: one affine matrix M = F·R·Z and one perspective homography per
//     image, composed into a single bilinear grid sample with reflection padding and
//     align_corners=True. Before it comes _grid_sample's area pre-shrink, decided over
//     the whole batch. The sampler reads the shrunk image, which is the only
//     full-size float buffer; there is no float copy of the 460 image. Then come
//     fastai's logit-space lighting and Normalize. The output matches torch to about
//     3e-6.
//
// fastai decides two things batch-wide: the pre-shrink, from the range of all sampled
// coordinates, and dropping the warp when a denominator is exactly zero. So the loader
// first draws the parameters of every image of a batch and resolves the batch, and only
// then gives the images to the workers. A projective map takes its extreme values at
// the corners of the grid while its denominator keeps one sign, so the range needs only
// the four corners of each image. A full grid scan is done only when a denominator is
// not positive.
//
// # Loader
//
// Batches are channel-major, [3, N, S, S]: the plane of channel c of image i starts at
// (c*N+i)*S*S. Training loaders shuffle every epoch and drop the last partial batch.
// Validation loaders keep the order and the partial batch (SPEC §1.3). Workers
// (default GOMAXPROCS) take single images, so one batch is filled by every worker.
// Batches are delivered in order, with Prefetch (default 2) of them prepared ahead.
// Every random draw of an image (crop offsets, augmentation) comes from a PCG generator
// seeded by (Seed, epoch, split, item index), and the shuffle from (Seed, epoch). So an
// epoch is the same bytes whatever the number of workers. The random streams are not
// fastai's (Python's random and torch's CUDA generator cannot be reproduced): only the
// distributions are (SPEC §11).
//
// Memory is fixed: batch buffers come from a pool of Prefetch+2, and Batch.Release
// returns them. The pool never blocks. When a consumer holds more batches than that,
// another buffer is allocated rather than deadlocking, and Stats.Buffers shows it.
//
// # Bad input
//
// By default, the first bad input stops with an error that names the file and the row
// ("train.csv line 13", "valid.json images[1247]"). Bad inputs are a CSV row with the
// wrong number of fields, an unknown is_valid value, malformed JSON, an annotation
// naming an unknown image or category, a missing, truncated or non-image file, and a
// validation label missing from the training vocabulary. With SkipBad (-skip-bad),
// rows and images are skipped and reported: Dataset.Skipped, Loader.Skipped,
// SkippedReport. An unreadable image is then removed from its batch, which gets
// smaller. The CSV reader, the JSON reader and the decoder are fuzzed (fuzz_test.go).
//
// # Deviations from fastai, and why
//
//   - Empty labels from doubled delimiters ("cat  dog") are dropped. Python's split
//     would make a class named "".
//   - A validation label unknown to the training vocabulary is a bad row. fastai raises
//     KeyError.
//   - is_valid accepts True/False in any case and 1/0. Anything else is an error,
//     because pandas' astype(bool) would count "False" as true when the column is text.
//   - COCO ids must be integers up to 2^53, and strings must be valid UTF-8, so that
//     simdjson-go and encoding/json always agree. On a CPU without AVX2+CLMUL, or when
//     simdjson fails, encoding/json reads the file, and its errors give line and column.
//   - A 16-bit PNG keeps the high byte of each sample. PIL clips "I;16" grey to 255.
//   - A perspective system that is singular (only for warp magnitudes far beyond
//     fastai's) skips the warp for that image. torch.solve would raise.
//   - The lighting's logit/sigmoid use float32 polynomial log/exp (≤ 1 ulp, branch-free,
//     four lanes interleaved): math.Log/Exp cost more than the rest of the augmentation.
//   - The area pre-shrink sums in exact integers and rounds once, where torch sums
//     floats.
//
// # Speed
//
// On this project's 2-core machine, the CPU time is about 7 ms per 224 training image:
// decode 1.4 ms, resize 0.9 ms, augment 3 ms (shrink 1, sample 0.7, lighting 1.3) and
// normalize 0.1 ms. That gave 141 images/s with 1 worker and 287 images/s with 2 when
// the machine was quiet (fastgo bench loader; BenchmarkLoader).
package vision
