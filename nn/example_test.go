package nn_test

import (
	"fmt"
	"log"

	"github.com/fastgo/fastgo/nn"
)

// Choosing an architecture by name (as the -arch flags do) and building torchvision's
// network; its parameter names are torchvision's, so ImageNet .pth files load into it.
func ExampleArchByName() {
	arch, err := nn.ArchByName("resnet50")
	if err != nil {
		log.Fatal(err)
	}
	r := nn.NewResNetArch(arch, nn.Widths, 1000)
	fmt.Println(arch, "bottleneck:", arch.Bottleneck, "output channels:", r.OutChannels())
	fmt.Println(nn.Parameters(r)[4].Name, nn.NumParams(r))
	_, err = nn.ArchByName("resnet101")
	fmt.Println(err)
	// Output:
	// resnet50 bottleneck: true output channels: 2048
	// layer1.0.bn1.weight 25557032
	// unknown architecture "resnet101" (have resnet18, resnet34, resnet50)
}
