package vision

import (
	"sync/atomic"

	"github.com/fastgo/fastgo/tensor"
)

// Batch is one mini-batch handed to the model.
//
// X holds the N images channel-major, shape [3, N, Size, Size]: the plane of channel c
// of image i starts at (c*N+i)*Size*Size. Y holds the multi-hot targets, shape
// [N, classes]. N is the batch size except for the last validation batch (and when
// SkipBad dropped unreadable images).
//
// The tensors live in a buffer owned by the loader: call Release when the training
// step is done with them so that the buffer is reused (fixed memory). A batch that is
// never released is simply garbage collected, and the loader allocates another buffer.
type Batch struct {
	X, Y   *tensor.Tensor
	N      int
	Items  []int // the loader's item indices of the images, in batch order
	Number int   // index of the batch within its epoch

	loader *Loader
	buf    *batchBuf
}

// Release returns the batch's buffer to its loader; X, Y and Items must not be used
// afterwards. Releasing twice is harmless.
func (b *Batch) Release() {
	if b.buf != nil {
		b.loader.pool.put(b.buf)
		b.buf = nil
		b.X, b.Y, b.Items = nil, nil, nil
	}
}

// Image de-normalises image i into dst (resized; a new RGB when dst is nil) as fastai's
// show_batch decodes it: x·std + mean, clamped to [0,1], ×255 truncated.
func (b *Batch) Image(i int, dst *RGB) *RGB {
	if dst == nil {
		dst = &RGB{}
	}
	s := b.loader.opt.Size
	dst.Resize(s, s)
	x := b.X.Data()
	mean, std := b.loader.opt.Mean, b.loader.opt.Std
	for c := 0; c < 3; c++ {
		plane := x[(c*b.N+i)*s*s:][:s*s]
		for p, v := range plane {
			dst.Pix[3*p+c] = Denormalize8(v, mean[c], std[c])
		}
	}
	return dst
}

// Labels returns the vocabulary names of image i's targets (the one-hot positions
// equal to 1).
func (b *Batch) Labels(i int) []string {
	vocab := b.loader.vocab
	row := b.Y.Data()[i*len(vocab):][:len(vocab)]
	var out []string
	for k, v := range row {
		if v == 1 {
			out = append(out, vocab[k])
		}
	}
	return out
}

// batchBuf is the reusable storage of one batch, plus the per-batch state the workers
// fill in.
type batchBuf struct {
	x, y    []float32
	items   []int
	params  []AugParams
	plans   []samplePlan
	errs    []error
	shrink  int
	pending atomic.Int32
	done    chan struct{}
}

// bufPool keeps at most cap(free) idle buffers; get never blocks (it allocates when
// none is idle), so a consumer that holds batches cannot deadlock the loader.
type bufPool struct {
	free        chan *batchBuf
	bs, size, c int
	stats       *stageStats
}

func newBufPool(capacity, bs, size, classes int, stats *stageStats) *bufPool {
	return &bufPool{free: make(chan *batchBuf, capacity), bs: bs, size: size, c: classes, stats: stats}
}

func (p *bufPool) get() *batchBuf {
	select {
	case b := <-p.free:
		return b
	default:
	}
	p.stats.buffers.Add(1)
	return &batchBuf{
		x:      make([]float32, 3*p.bs*p.size*p.size),
		y:      make([]float32, p.bs*p.c),
		items:  make([]int, 0, p.bs),
		params: make([]AugParams, p.bs),
		plans:  make([]samplePlan, p.bs),
		errs:   make([]error, p.bs),
	}
}

func (p *bufPool) put(b *batchBuf) {
	select {
	case p.free <- b:
	default: // more buffers than the pool keeps: let the GC have this one
	}
}
