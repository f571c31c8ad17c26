package predictor_test

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"log"
	"os"
	"path/filepath"

	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/serve/predictor"
	"github.com/fastgo/fastgo/vision"
	"github.com/fastgo/fastgo/vision/cnn"
)

// Labelling an image with a saved model: Load reads the model and what its file records
// (architecture, classes, input size), Preprocess prepares the image as validation
// does, Forward gives the probabilities and Decide the labels above a threshold. (The
// model here is an untrained narrow ResNet18 saved on the spot; a program loads the
// model.pth that training wrote.)
func ExampleLoad() {
	dir, _ := os.MkdirTemp("", "predictor-example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.pth")
	info := cnn.ModelInfo{Arch: "resnet18", Widths: [4]int{4, 8, 8, 16}, Classes: []string{"cat", "dog", "person"},
		Size: 32, Resize: 36, Mean: vision.ImageNetMean, Std: vision.ImageNetStd}
	m, err := cnn.NewModel(nn.ResNet18, len(info.Classes), cnn.ModelOptions{Widths: info.Widths, Seed: 1})
	if err != nil {
		log.Fatal(err)
	}
	if err := cnn.SaveModel(path, m, info); err != nil {
		log.Fatal(err)
	}

	p, err := predictor.Load(path, predictor.Options{})
	if err != nil {
		log.Fatal(err)
	}
	var img bytes.Buffer // any JPEG or PNG file's bytes: here a 40×30 grey one
	grey := image.NewGray(image.Rect(0, 0, 40, 30))
	for i := range grey.Pix {
		grey.Pix[i] = uint8(i)
	}
	if err := png.Encode(&img, grey); err != nil {
		log.Fatal(err)
	}
	x := make([]float32, p.InputLen())
	if err := p.Preprocess(img.Bytes(), x); err != nil {
		log.Fatal(err)
	}
	probs := make([]float32, len(p.Classes()))
	if err := p.Forward(x, 1, probs); err != nil {
		log.Fatal(err)
	}
	pred := p.Decide(probs, 0.5)
	fmt.Println(p.Task(), p.Classes(), len(pred.Probabilities))
	// Output:
	// multi-label [cat dog person] 3
}
