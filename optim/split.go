package optim

import (
	"fmt"
	"strings"
)

// SplitByPrefix puts each parameter in the first group one of whose name prefixes it
// has, keeping the parameters' order within a group. It fails naming the first
// parameter that matches no group.
func SplitByPrefix(params []*Param, prefixes ...[]string) ([][]*Param, error) {
	groups := make([][]*Param, len(prefixes))
	for _, p := range params {
		g := groupOf(p.Name, prefixes)
		if g < 0 {
			return nil, fmt.Errorf("optim.SplitByPrefix: parameter %q matches no group prefix %v", p.Name, prefixes)
		}
		groups[g] = append(groups[g], p)
	}
	return groups, nil
}

func groupOf(name string, prefixes [][]string) int {
	for g, ps := range prefixes {
		for _, pre := range ps {
			if strings.HasPrefix(name, pre) {
				return g
			}
		}
	}
	return -1
}

// ResNetPrefixes are fastai's _resnet_split for the model Sequential(body, head) named as
// its state dict (SPEC §2): body[0:6] (conv1, bn1, relu, maxpool, layer1, layer2 —
// keys 0.0, 0.1, 0.4, 0.5), body[6:8] (layer3, layer4 — keys 0.6, 0.7) and the head
// (keys 1.*).
var ResNetPrefixes = [][]string{
	{"0.0.", "0.1.", "0.2.", "0.3.", "0.4.", "0.5."},
	{"0.6.", "0.7."},
	{"1."},
}

// ResNetSplit splits a ResNet + fastai head's parameters, named by state-dict key, into
// fastai's three layer groups.
func ResNetSplit(params []*Param) ([][]*Param, error) {
	return SplitByPrefix(params, ResNetPrefixes...)
}
