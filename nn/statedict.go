package nn

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/fastgo/fastgo/nn/pth"
	"github.com/fastgo/fastgo/tensor"
)

// StateDict returns m's parameters and buffers as a PyTorch state dict, in PyTorch's
// order and with its names; tensors are copied.
func StateDict(m Module) *pth.StateDict {
	sd := &pth.StateDict{}
	Walk(m, "", func(n Named) {
		switch {
		case n.Param != nil:
			sd.Add(pth.NewF32(n.Name, n.Param.Value.Shape(), append([]float32(nil), n.Param.Value.Data()...)))
		case n.Buffer != nil:
			sd.Add(pth.NewF32(n.Name, n.Buffer.Shape(), append([]float32(nil), n.Buffer.Data()...)))
		case n.Count != nil:
			sd.Add(pth.NewI64(n.Name, nil, []int64{*n.Count}))
		}
	})
	return sd
}

// LoadOptions adjusts LoadStateDict.
type LoadOptions struct {
	// Prefix is prepended to m's names when looking entries up ("0." loads a body from a
	// full cnn_learner state dict).
	Prefix string
	// Rename maps a file name to a model name before the lookup; nil keeps names.
	Rename func(string) string
	// AllowMissingCounts accepts files without num_batches_tracked (older torch files);
	// those counts are set to 0.
	AllowMissingCounts bool
	// IgnoreUnexpected accepts entries of the file that m has no member for.
	IgnoreUnexpected bool
}

// LoadStateDict copies a state dict into m. Every member of m must be present with the
// same shape (see LoadOptions for exceptions); otherwise nothing is changed and the error
// lists every missing key, unexpected key and shape mismatch.
func LoadStateDict(m Module, sd *pth.StateDict, o LoadOptions) error {
	byName := map[string]*pth.Tensor{}
	for i := range sd.Entries {
		e := &sd.Entries[i]
		name := e.Name
		if o.Rename != nil {
			name = o.Rename(name)
		}
		if name != "" {
			byName[name] = e
		}
	}
	var missing, mismatched []string
	used := map[string]bool{}
	type assign struct {
		dst   *tensor.Tensor
		count *int64
		src   *pth.Tensor
	}
	var todo []assign
	Walk(m, o.Prefix, func(n Named) {
		e := byName[n.Name]
		if e == nil {
			if n.Count != nil && o.AllowMissingCounts {
				todo = append(todo, assign{count: n.Count})
				return
			}
			missing = append(missing, n.Name)
			return
		}
		used[n.Name] = true
		var dst *tensor.Tensor
		switch {
		case n.Param != nil:
			dst = n.Param.Value
		case n.Buffer != nil:
			dst = n.Buffer
		default:
			if e.Numel() != 1 || e.I64 == nil {
				mismatched = append(mismatched, fmt.Sprintf("%s: file has %v %v, model has an int64 scalar", n.Name, e.DType, e.Shape))
				return
			}
			todo = append(todo, assign{count: n.Count, src: e})
			return
		}
		if !tensor.ShapeEqual(dst.Shape(), e.Shape) || e.F32 == nil && e.F64 == nil {
			mismatched = append(mismatched, fmt.Sprintf("%s: file has %v %v, model has float32 %v", n.Name, e.DType, e.Shape, dst.Shape()))
			return
		}
		todo = append(todo, assign{dst: dst, src: e})
	})
	var unexpected []string
	if !o.IgnoreUnexpected {
		for name := range byName {
			if !used[name] && strings.HasPrefix(name, o.Prefix) {
				unexpected = append(unexpected, name)
			}
		}
		sort.Strings(unexpected)
	}
	if len(missing)+len(mismatched)+len(unexpected) > 0 {
		var b strings.Builder
		b.WriteString("state dict does not match the model")
		list := func(what string, names []string) {
			const show = 8
			if len(names) == 0 {
				return
			}
			total, more := len(names), ""
			if len(names) > show {
				more = fmt.Sprintf(", … and %d more", len(names)-show)
				names = names[:show]
			}
			fmt.Fprintf(&b, "\n  %s (%d): %s%s", what, total, strings.Join(names, ", "), more)
		}
		list("missing keys", missing)
		list("unexpected keys", unexpected)
		list("shape mismatches", mismatched)
		return errors.New(b.String())
	}
	for _, a := range todo {
		switch {
		case a.count != nil && a.src == nil:
			*a.count = 0
		case a.count != nil:
			*a.count = a.src.I64[0]
		default:
			copy(a.dst.Data(), a.src.Float32s())
		}
	}
	return nil
}

// TorchvisionToBody maps torchvision ResNet state-dict names to the names of fastai's
// body inside cnn_learner's model (conv1 → 0.0, bn1 → 0.1, layer1…4 → 0.4…0.7). The
// classifier (fc.*) maps to "" and is ignored; other names are kept, so that they show
// up as unexpected keys.
func TorchvisionToBody(name string) string {
	for from, to := range map[string]string{"conv1.": "0.0.", "bn1.": "0.1.", "layer1.": "0.4.",
		"layer2.": "0.5.", "layer3.": "0.6.", "layer4.": "0.7."} {
		if strings.HasPrefix(name, from) {
			return to + name[len(from):]
		}
	}
	if strings.HasPrefix(name, "fc.") {
		return ""
	}
	return name
}

// LoadPretrainedBody loads a torchvision ResNet state dict (such as ImageNet's
// resnet34-b627a593.pth) into the body of a cnn_learner model; the file's classifier is
// ignored. Errors list the keys and shapes that do not match.
func LoadPretrainedBody(c *CNN, sd *pth.StateDict) error {
	body := NewSequential(c.Body)
	return LoadStateDict(body, sd, LoadOptions{Rename: TorchvisionToBody, AllowMissingCounts: true, IgnoreUnexpected: false})
}
