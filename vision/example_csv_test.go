package vision_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/fastgo/fastgo/vision"
	"github.com/fastgo/fastgo/vision/synth"
)

// fastai's ImageDataLoaders.from_df(df, path, folder='train', label_delim=' ',
// valid_col='is_valid', item_tfms=Resize(460), batch_tfms=aug_transforms(size=224)) in
// one call, on a small generated data set in the same layout (train.csv with fname,
// labels, is_valid; the images in train/), at 32 px.
func ExampleDataLoadersFromCSV() {
	dir, _ := os.MkdirTemp("", "vision-example")
	defer os.RemoveAll(dir)
	if _, err := synth.Generate(dir, synth.Options{Seed: 1, Train: 16, Valid: 8, Size: 32}); err != nil {
		log.Fatal(err)
	}
	o := vision.DefaultLoader() // Resize(460), aug_transforms(size=224), bs 64
	o.Size, o.Resize, o.BatchSize = 32, 36, 8
	dls, err := vision.DataLoadersFromCSV(filepath.Join(dir, "train.csv"), vision.DefaultCSV(), o)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("vocab:", dls.Train.Vocab())
	fmt.Println("batches per epoch:", dls.Train.Len(), "train,", dls.Valid.Len(), "valid")
	// Output:
	// vocab: [circle cross diamond ring square triangle]
	// batches per epoch: 2 train, 1 valid
}
