package nn

import (
	"fmt"

	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/tensor/functional"
)

// BasicBlock is torchvision's ResNet basic block:
// relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), where the shortcut is x itself or
// Downsample(x) (a strided 1×1 convolution and a batch norm) when the shape changes.
type BasicBlock struct {
	Conv1      *Conv2d
	BN1        *BatchNorm
	Conv2      *Conv2d
	BN2        *BatchNorm
	Downsample *Sequential // nil for the identity shortcut
}

// NewBasicBlock returns a block from cin to cout channels whose first convolution has
// the given stride.
func NewBasicBlock(cin, cout, stride int) *BasicBlock {
	b := &BasicBlock{
		Conv1: NewConv2d(cin, cout, 3, stride, 1, false),
		BN1:   NewBatchNorm2d(cout),
		Conv2: NewConv2d(cout, cout, 3, 1, 1, false),
		BN2:   NewBatchNorm2d(cout),
	}
	if stride != 1 || cin != cout {
		b.Downsample = NewSequential(NewConv2d(cin, cout, 1, stride, 0, false), NewBatchNorm2d(cout))
	}
	return b
}

// Forward runs the block as two ConvBN units, the second with the residual addition
// (folded into the convolutions in an evaluation graph).
func (b *BasicBlock) Forward(g *autograd.Graph, x *autograd.Var) *autograd.Var {
	h := ConvBN(g, b.Conv1, b.BN1, x, true, nil)
	shortcut := x
	if b.Downsample != nil {
		shortcut = b.Downsample.Forward(g, x)
	}
	y := ConvBN(g, b.Conv2, b.BN2, h, true, shortcut)
	g.Free(h)
	if shortcut != x {
		g.Free(shortcut)
	}
	return y
}

// Members returns none: the block's parameters belong to its children.
func (b *BasicBlock) Members() []Member { return nil }

// Children returns conv1, bn1, conv2, bn2 and, when present, downsample — torchvision's
// names (its relu has no parameters and no state-dict entry).
func (b *BasicBlock) Children() []Child {
	c := []Child{{"conv1", b.Conv1}, {"bn1", b.BN1}, {"conv2", b.Conv2}, {"bn2", b.BN2}}
	if b.Downsample != nil {
		c = append(c, Child{"downsample", b.Downsample})
	}
	return c
}

// Bottleneck is torchvision's ResNet bottleneck block (ResNet v1.5, the stride on the
// 3×3 convolution): relu(bn3(conv3(relu(bn2(conv2(relu(bn1(conv1(x)))))))) + shortcut(x)),
// where conv1 and conv3 are 1×1, conv3 widens to 4× the block's width, and the shortcut
// is x itself or Downsample(x) (a strided 1×1 convolution and a batch norm).
type Bottleneck struct {
	Conv1, Conv2, Conv3 *Conv2d
	BN1, BN2, BN3       *BatchNorm
	Downsample          *Sequential // nil for the identity shortcut
}

// NewBottleneck returns a block from cin channels to 4·width whose 3×3 convolution has
// the given stride.
func NewBottleneck(cin, width, stride int) *Bottleneck {
	cout := 4 * width
	b := &Bottleneck{
		Conv1: NewConv2d(cin, width, 1, 1, 0, false),
		BN1:   NewBatchNorm2d(width),
		Conv2: NewConv2d(width, width, 3, stride, 1, false),
		BN2:   NewBatchNorm2d(width),
		Conv3: NewConv2d(width, cout, 1, 1, 0, false),
		BN3:   NewBatchNorm2d(cout),
	}
	if stride != 1 || cin != cout {
		b.Downsample = NewSequential(NewConv2d(cin, cout, 1, stride, 0, false), NewBatchNorm2d(cout))
	}
	return b
}

// Forward runs the block as three ConvBN units, the last with the residual addition
// (folded into the convolutions in an evaluation graph).
func (b *Bottleneck) Forward(g *autograd.Graph, x *autograd.Var) *autograd.Var {
	h1 := ConvBN(g, b.Conv1, b.BN1, x, true, nil)
	h2 := ConvBN(g, b.Conv2, b.BN2, h1, true, nil)
	g.Free(h1)
	shortcut := x
	if b.Downsample != nil {
		shortcut = b.Downsample.Forward(g, x)
	}
	y := ConvBN(g, b.Conv3, b.BN3, h2, true, shortcut)
	g.Free(h2)
	if shortcut != x {
		g.Free(shortcut)
	}
	return y
}

// Members returns none: the block's parameters belong to its children.
func (b *Bottleneck) Members() []Member { return nil }

// Children returns conv1, bn1, conv2, bn2, conv3, bn3 and, when present, downsample —
// torchvision's names.
func (b *Bottleneck) Children() []Child {
	c := []Child{{"conv1", b.Conv1}, {"bn1", b.BN1}, {"conv2", b.Conv2}, {"bn2", b.BN2}, {"conv3", b.Conv3}, {"bn3", b.BN3}}
	if b.Downsample != nil {
		c = append(c, Child{"downsample", b.Downsample})
	}
	return c
}

// ResNet is torchvision's ResNet (basic or bottleneck blocks): a 7×7 stride-2 stem, batch norm,
// ReLU, a 3×3 stride-2 max pool, four stages of blocks, global average pooling and a
// fully connected classifier. Its state-dict names are torchvision's (conv1.weight,
// layer2.0.downsample.0.weight, fc.bias, …).
type ResNet struct {
	Conv1                          *Conv2d
	BN1                            *BatchNorm
	MaxPool                        *MaxPool2d
	Layer1, Layer2, Layer3, Layer4 *Sequential
	AvgPool                        *AdaptiveAvgPool2d
	FC                             *Linear
}

// ResNet34Blocks is ResNet34's number of blocks per stage.
var ResNet34Blocks = [4]int{3, 4, 6, 3}

// ResNet34Widths is ResNet34's channel count per stage.
var ResNet34Widths = [4]int{64, 128, 256, 512}

// NewResNet returns a basic-block ResNet with the given blocks and channel widths per
// stage (the stem has widths[0] channels) and numClasses outputs, with parameters zeroed
// and batch norms at their defaults; see InitResNet.
func NewResNet(blocks, widths [4]int, numClasses int) *ResNet {
	return NewResNetArch(Arch{Name: "resnet", Blocks: blocks}, widths, numClasses)
}

// NewResNetArch returns torchvision's ResNet of architecture a with the given stage
// widths (zero: Widths; smaller ones make quick tests) and numClasses outputs,
// uninitialised; see InitResNet.
func NewResNetArch(a Arch, widths [4]int, numClasses int) *ResNet {
	if widths == [4]int{} {
		widths = Widths
	}
	blocks, exp := a.OrDefault().Blocks, a.Expansion()
	r := &ResNet{
		Conv1:   NewConv2d(3, widths[0], 7, 2, 3, false),
		BN1:     NewBatchNorm2d(widths[0]),
		MaxPool: &MaxPool2d{Params: functional.PoolOpts(3, 2, 1)},
		AvgPool: &AdaptiveAvgPool2d{OH: 1, OW: 1},
		FC:      NewLinear(widths[3]*exp, numClasses, true),
	}
	cin := widths[0]
	stages := []**Sequential{&r.Layer1, &r.Layer2, &r.Layer3, &r.Layer4}
	for s, st := range stages {
		stride := 2
		if s == 0 {
			stride = 1
		}
		seq := NewSequential()
		for i := 0; i < blocks[s]; i++ {
			if a.Bottleneck {
				seq.Layers = append(seq.Layers, NewBottleneck(cin, widths[s], stride))
			} else {
				seq.Layers = append(seq.Layers, NewBasicBlock(cin, widths[s], stride))
			}
			cin, stride = widths[s]*exp, 1
		}
		*st = seq
	}
	return r
}

// NewResNet34 returns torchvision's resnet34(num_classes=numClasses), uninitialised.
func NewResNet34(numClasses int) *ResNet {
	return NewResNet(ResNet34Blocks, ResNet34Widths, numClasses)
}

// OutChannels returns the channels of the last stage's output (what the classifier and
// fastai's head receive, before concat pooling doubles them).
func (r *ResNet) OutChannels() int { return r.FC.Weight.Value.Dim(1) }

// Body returns the network without its average pool and classifier as a Sequential of
// the first eight children — conv1, bn1, relu, maxpool, layer1…layer4 — which is what
// fastai's create_body keeps (cut −2). The modules are shared with r.
func (r *ResNet) Body() *Sequential {
	return NewSequential(r.Conv1, r.BN1, ReLU{}, r.MaxPool, r.Layer1, r.Layer2, r.Layer3, r.Layer4)
}

// Forward computes the class logits [N, numClasses] of x [3, N, H, W].
func (r *ResNet) Forward(g *autograd.Graph, x *autograd.Var) *autograd.Var {
	feat := r.Body().Forward(g, x)
	pooled := r.AvgPool.Forward(g, feat)
	g.Free(feat)
	flat := autograd.Flatten(pooled)
	g.Free(pooled)
	return r.FC.Forward(g, flat)
}

// Members returns none: the parameters belong to the children.
func (r *ResNet) Members() []Member { return nil }

// Children returns torchvision's attribute names in registration order.
func (r *ResNet) Children() []Child {
	return []Child{{"conv1", r.Conv1}, {"bn1", r.BN1}, {"relu", ReLU{}}, {"maxpool", r.MaxPool},
		{"layer1", r.Layer1}, {"layer2", r.Layer2}, {"layer3", r.Layer3}, {"layer4", r.Layer4},
		{"avgpool", r.AvgPool}, {"fc", r.FC}}
}

// String summarises the network's shape.
func (r *ResNet) String() string {
	return fmt.Sprintf("ResNet(stem %d, stages %d/%d/%d/%d blocks, %d classes, %d parameters)",
		r.Conv1.Weight.Value.Dim(0), len(r.Layer1.Layers), len(r.Layer2.Layers), len(r.Layer3.Layers),
		len(r.Layer4.Layers), r.FC.Weight.Value.Dim(0), NumParams(r))
}
