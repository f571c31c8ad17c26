package pretrain

import (
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/nn/pth"
	"github.com/fastgo/fastgo/vision"
	"github.com/fastgo/fastgo/vision/synth"
)

func TestTrainAndSaveTorchvisionLayout(t *testing.T) {
	dir := t.TempDir()
	if _, err := synth.GeneratePretrain(dir, synth.Options{Seed: 2, Train: 32, Valid: 16, Size: 32}); err != nil {
		t.Fatal(err)
	}
	ds, err := vision.FromFolder(dir, vision.DefaultFolder())
	if err != nil {
		t.Fatal(err)
	}
	o := Default()
	o.Widths, o.Epochs, o.LR = [4]int{4, 4, 8, 8}, 2, 1e-2
	o.Loader.BatchSize, o.Loader.Resize, o.Loader.Size = 8, 40, 32
	var log strings.Builder
	o.Out = &log
	res, err := Train(ds, o)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "accuracy") || res.Accuracy != res.Accuracy {
		t.Errorf("no accuracy: %v\n%s", res.Accuracy, log.String())
	}
	if want := int64(2 * (32/8*8 + 16)); res.Images != want {
		t.Errorf("%d images through the network, want %d", res.Images, want)
	}
	path := filepath.Join(t.TempDir(), "body.pth")
	if err := Save(path, nn.ResNet34, res.Net, ds.Vocab); err != nil {
		t.Fatal(err)
	}
	sd, err := pth.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"conv1.weight", "bn1.running_var", "layer4.2.bn2.weight", "fc.weight", "fc.bias"} {
		if sd.Get(name) == nil {
			t.Errorf("%s missing: not torchvision's layout", name)
		}
	}
	if !strings.Contains(sd.Meta[MetaKey], "hexagon") {
		t.Errorf("classes not recorded: %q", sd.Meta[MetaKey])
	}
	// -pretrained's loader takes it as a body for a cnn_learner of another task.
	arch := nn.NewResNet(nn.ResNet34Blocks, o.Widths, 1000)
	m := nn.NewCNN(arch, 6, rand.New(rand.NewPCG(1, 1)), 1)
	if err := nn.LoadPretrainedBody(m, sd); err != nil {
		t.Fatal(err)
	}
	if got, want := m.Body.Layers[0].(*nn.Conv2d).Weight.Value.Data()[5], res.Net.Conv1.Weight.Value.Data()[5]; got != want {
		t.Errorf("stem weight %v after loading, want %v", got, want)
	}
	// Multi-label data is refused with the item named.
	ds.Train[3].Labels = []int{0, 1}
	if _, err := Train(ds, o); err == nil || !strings.Contains(err.Error(), "2 labels") {
		t.Errorf("multi-label item: %v", err)
	}
}
