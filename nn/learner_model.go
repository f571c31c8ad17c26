package nn

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sort"

	"github.com/fastgo/fastgo/tensor"
)

// The methods below are what the generic training loop (package optim/learner) needs of
// a model besides its layer groups as optimiser parameters, which package vision/cnn adds
// (nn does not know the optimiser): Train, StateDict, LoadStateDict and the dropout
// streams' RandomState.

// Train does nothing: whether a pass trains is the graph's Training flag.
func (c *CNN) Train(training bool) {}

// StateDict returns every parameter and buffer by state-dict name; parameters
// and float buffers are the model's own tensors, num_batches_tracked counts are 1-element
// copies.
func (c *CNN) StateDict() map[string]*tensor.Tensor { return StateTensors(c) }

// LoadStateDict copies sd (as StateDict returns it) into the model; every member must
// be present with its shape, entries the model has no member for are ignored. Like the
// package's LoadStateDict it checks everything first: on an error, which lists every
// missing name and shape mismatch, nothing is changed.
func (c *CNN) LoadStateDict(sd map[string]*tensor.Tensor) error { return LoadStateTensors(c, sd) }

// StateTensors returns every parameter and buffer of any module by state-dict name;
// parameters and float buffers are the module's own tensors, num_batches_tracked counts
// are 1-element copies. (StateDict makes a .pth-ready copy instead.)
func StateTensors(c Module) map[string]*tensor.Tensor {
	out := map[string]*tensor.Tensor{}
	Walk(c, "", func(n Named) {
		switch {
		case n.Param != nil:
			out[n.Name] = n.Param.Value
		case n.Buffer != nil:
			out[n.Name] = n.Buffer
		case n.Count != nil:
			out[n.Name] = tensor.FromData([]float32{float32(*n.Count)}, 1)
		}
	})
	return out
}

// LoadStateTensors copies sd (as StateTensors returns it) into any module; every member
// must be present with its shape, entries the module has no member for are ignored. Like
// LoadStateDict it checks everything first: on an error, which lists every missing name
// and shape mismatch, nothing is changed.
func LoadStateTensors(c Module, sd map[string]*tensor.Tensor) error {
	type assign struct {
		dst, src *tensor.Tensor
		count    *int64
	}
	var todo []assign
	var errs []string
	Walk(c, "", func(n Named) {
		t := sd[n.Name]
		if t == nil {
			errs = append(errs, "missing "+n.Name)
			return
		}
		if n.Count != nil {
			if t.Len() != 1 {
				errs = append(errs, fmt.Sprintf("%s: shape %v, model has a count", n.Name, t.Shape()))
				return
			}
			todo = append(todo, assign{count: n.Count, src: t})
			return
		}
		dst := n.Buffer
		if n.Param != nil {
			dst = n.Param.Value
		}
		if !tensor.SameShape(dst, t) {
			errs = append(errs, fmt.Sprintf("%s: shape %v, model has %v", n.Name, t.Shape(), dst.Shape()))
			return
		}
		todo = append(todo, assign{dst: dst, src: t})
	})
	if len(errs) > 0 {
		sort.Strings(errs)
		return fmt.Errorf("nn: state does not match the model: %v", errs)
	}
	for _, a := range todo {
		switch {
		case a.count != nil:
			*a.count = int64(a.src.Data()[0])
		case a.dst.Len() > 0 && &a.dst.Data()[0] != &a.src.Data()[0]: // not the model's own tensor
			copy(a.dst.Data(), a.src.Data())
		}
	}
	return nil
}

// dropouts returns the model's dropout layers in order.
func (c *CNN) dropouts() []*Dropout { return dropoutsOf(c) }

func dropoutsOf(c Module) []*Dropout {
	var out []*Dropout
	var visit func(m Module)
	visit = func(m Module) {
		if d, ok := m.(*Dropout); ok {
			out = append(out, d)
		}
		for _, ch := range m.Children() {
			visit(ch.Module)
		}
	}
	visit(c)
	return out
}

// RandomState returns the state of every dropout layer's random stream.
func (c *CNN) RandomState() ([]byte, error) {
	var buf bytes.Buffer
	for _, d := range c.dropouts() {
		b, err := d.Src.MarshalBinary()
		if err != nil {
			return nil, err
		}
		binary.Write(&buf, binary.LittleEndian, uint32(len(b)))
		buf.Write(b)
	}
	return buf.Bytes(), nil
}

// SetRandomState restores a state returned by RandomState.
func (c *CNN) SetRandomState(state []byte) error {
	r := bytes.NewReader(state)
	for i, d := range c.dropouts() {
		var n uint32
		if err := binary.Read(r, binary.LittleEndian, &n); err != nil || int(n) > r.Len() {
			return fmt.Errorf("nn: random state of dropout %d is truncated", i)
		}
		b := make([]byte, n)
		r.Read(b)
		if err := d.Src.UnmarshalBinary(b); err != nil {
			return fmt.Errorf("nn: random state of dropout %d: %w", i, err)
		}
	}
	return nil
}
