package vision_test

import (
	"flag"
	"fmt"
	"log"

	"github.com/fastgo/fastgo/vision"
)

// A program that takes fastgo's data flags: -data names the folder, -csv a table inside
// it; LoaderOptions fills in fastai's defaults (Resize(460), size 224, batch size 64).
func ExampleAddDataFlags() {
	fs := flag.NewFlagSet("myprog", flag.ContinueOnError)
	df := vision.AddDataFlags(fs)
	if err := fs.Parse([]string{"-data", "pascal_2007", "-size", "128", "-label-delim", ";"}); err != nil {
		log.Fatal(err)
	}
	o := df.LoaderOptions()
	fmt.Println(df.Dir, df.CSV, df.LabelDelim, o.Size, o.Resize, o.BatchSize)
	// Output:
	// pascal_2007 train.csv ; 128 263 64
}
