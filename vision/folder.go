package vision

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// FolderOptions say how to read a data set laid out as fastai's
// ImageDataLoaders.from_folder expects: one sub-folder per class, named after it.
type FolderOptions struct {
	// Train and Valid are the split folders (fastai's train='train', valid='valid',
	// GrandparentSplitter): path/train/<class>/img.png, path/valid/<class>/img.png.
	Train, Valid string
	// ValidPct > 0 ignores Train and Valid and splits every image found under the root at
	// random (fastai's valid_pct with RandomSplitter(valid_pct, seed)).
	ValidPct float64
	Seed     uint64
}

// DefaultFolder returns fastai's defaults: train/ and valid/ folders.
func DefaultFolder() FolderOptions { return FolderOptions{Train: "train", Valid: "valid"} }

// imageExts are the file types the decoder reads (fastai's get_image_files takes every
// image MIME type; others would only fail later at decoding).
var imageExts = map[string]bool{".jpg": true, ".jpeg": true, ".png": true}

// FromFolder builds a single-label dataset from class-named sub-folders (fastai's
// ImageDataLoaders.from_folder): every .jpg/.jpeg/.png file (any case) below the split
// folders, labelled with the name of its parent folder (parent_label). Files are listed
// in sorted path order; the vocabulary is the sorted classes of the training split. A
// missing split folder, a split without images, or a validation class the training
// split lacks is an error naming it.
func FromFolder(root string, o FolderOptions) (*Dataset, error) {
	var recs []Record
	add := func(dir string, valid bool) (int, error) {
		n := 0
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() || !imageExts[strings.ToLower(filepath.Ext(p))] {
				return nil
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			label := filepath.Base(filepath.Dir(p))
			recs = append(recs, Record{Fname: rel, Labels: []string{label}, IsValid: valid, Source: rel})
			n++
			return nil
		})
		return n, err
	}
	if o.ValidPct > 0 {
		if _, err := add(root, false); err != nil {
			return nil, err
		}
		if len(recs) == 0 {
			return nil, fmt.Errorf("%s: no .jpg or .png images in its sub-folders", root)
		}
		isValid, err := randomValid(len(recs), o.ValidPct, o.Seed)
		if err != nil {
			return nil, err
		}
		for i := range recs {
			recs[i].IsValid = isValid[i]
		}
	} else {
		for _, split := range []struct {
			dir   string
			valid bool
		}{{o.Train, false}, {o.Valid, true}} {
			dir := filepath.Join(root, split.dir)
			if st, err := os.Stat(dir); err != nil || !st.IsDir() {
				return nil, fmt.Errorf("%s: no %q folder (from_folder wants %s/<class>/<image> and %s/<class>/<image>, or a valid_pct split)",
					root, split.dir, o.Train, o.Valid)
			}
			n, err := add(dir, split.valid)
			if err != nil {
				return nil, err
			}
			if n == 0 {
				return nil, fmt.Errorf("%s: no .jpg or .png images in its class sub-folders", dir)
			}
		}
	}
	return build(recs, nil, root, false)
}
