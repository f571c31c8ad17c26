package vision

import (
	"errors"
	"fmt"
	"iter"
	"math/rand/v2"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fastgo/fastgo/tensor"
)

// LoaderOptions configure a Loader. DefaultLoader returns the recipe's values.
type LoaderOptions struct {
	BatchSize int        // images per batch (fastai bs=64)
	Resize    int        // item transform side: fastai Resize(460)
	Size      int        // output side: aug_transforms(size=224)
	Workers   int        // goroutines that decode and augment; 0 means GOMAXPROCS
	Prefetch  int        // batches prepared ahead of the consumer; 0 means 2
	Seed      uint64     // all randomness (shuffle, crops, augmentation) derives from it
	Aug       AugOptions // training batch transforms (validation uses none)
	Mean, Std [3]float32 // Normalize statistics
	SkipBad   bool       // drop unreadable images from their batch (and report them) instead of failing
}

// DefaultLoader returns bs 64, Resize(460), size 224, fastai's default augmentation
// and ImageNet statistics.
func DefaultLoader() LoaderOptions {
	return LoaderOptions{BatchSize: 64, Resize: 460, Size: 224, Aug: DefaultAug(),
		Mean: ImageNetMean, Std: ImageNetStd}
}

func (o *LoaderOptions) check() error {
	if o.BatchSize < 1 || o.Resize < 1 || o.Size < 2 {
		return fmt.Errorf("loader: batch size %d, resize %d and size %d must be ≥ 1, 1 and 2", o.BatchSize, o.Resize, o.Size)
	}
	if o.Workers < 0 || o.Prefetch < 0 {
		return fmt.Errorf("loader: workers %d and prefetch %d must not be negative", o.Workers, o.Prefetch)
	}
	for c, s := range o.Std {
		if !(s > 0) {
			return fmt.Errorf("loader: std[%d] = %g must be positive", c, s)
		}
	}
	if o.Workers == 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Prefetch == 0 {
		o.Prefetch = 2
	}
	return o.Aug.Validate()
}

// A Loader turns a list of items into batches, fastai-style: a training loader shuffles
// anew every epoch, drops the last partial batch and augments; a validation loader
// keeps the item order and the last partial batch and only resizes and normalises
// (SPEC §1.3–1.7).
//
// Work is spread over Workers goroutines, one image at a time, while batches are
// delivered in order with up to Prefetch of them prepared ahead. Every random draw of
// an image comes from a generator seeded by (Seed, epoch, split, item index), so an
// epoch's batches are identical whatever the number of workers. Buffers are recycled
// through Batch.Release. Each epoch's parameters are drawn and resolved batch by batch
// before the images go to the workers, because fastai's pre-shrink and warp rules look
// at the whole batch.
type Loader struct {
	items   []Item
	vocab   []string
	train   bool
	augment bool // a validation-order loader with the training transforms (Augmented)
	opt     LoaderOptions
	pool    *bufPool
	stats   *stageStats
	workers []*transformer
	running atomic.Bool

	mu  sync.Mutex
	bad map[int]BadItem
}

// NewLoader returns a training (train = true) or validation loader over items, whose
// label indices refer to vocab.
func NewLoader(items []Item, vocab []string, train bool, o LoaderOptions) (*Loader, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	st := &stageStats{}
	return newLoader(items, vocab, train, o, newBufPool(o.Prefetch+2, o.BatchSize, o.Size, len(vocab), st), st)
}

func newLoader(items []Item, vocab []string, train bool, o LoaderOptions, pool *bufPool, st *stageStats) (*Loader, error) {
	for i, it := range items {
		for _, k := range it.Labels {
			if k < 0 || k >= len(vocab) {
				return nil, fmt.Errorf("loader: item %d (%s) has label index %d outside the vocabulary of %d", i, it.Source, k, len(vocab))
			}
		}
	}
	return buildLoader(items, vocab, train, o, pool, st), nil
}

// buildLoader makes a loader over checked items, with its workers.
func buildLoader(items []Item, vocab []string, train bool, o LoaderOptions, pool *bufPool, st *stageStats) *Loader {
	l := &Loader{items: items, vocab: vocab, train: train, opt: o, pool: pool, stats: st, bad: map[int]BadItem{}}
	for range o.Workers {
		l.workers = append(l.workers, newTransformer(o.Resize, o.Size, o.Mean, o.Std))
	}
	return l
}

// DataLoaders pairs the training and validation loaders of a dataset (fastai's dls).
// They share one pool of batch buffers.
type DataLoaders struct {
	Train, Valid *Loader
}

// NewDataLoaders makes the training and validation loaders of ds.
func NewDataLoaders(ds *Dataset, o LoaderOptions) (*DataLoaders, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	st := &stageStats{}
	pool := newBufPool(o.Prefetch+2, o.BatchSize, o.Size, len(ds.Vocab), st)
	tr, err := newLoader(ds.Train, ds.Vocab, true, o, pool, st)
	if err != nil {
		return nil, err
	}
	va, err := newLoader(ds.Valid, ds.Vocab, false, o, pool, st)
	if err != nil {
		return nil, err
	}
	return &DataLoaders{Train: tr, Valid: va}, nil
}

// DataLoadersFromCSV is FromCSV then NewDataLoaders in one call, as fastai's
// ImageDataLoaders.from_df (or from_csv) is: the data set described by the CSV file at
// path (csv says how to read it; DefaultCSV is the seed's) and its loaders.
func DataLoadersFromCSV(path string, csv CSVOptions, o LoaderOptions) (*DataLoaders, error) {
	ds, err := FromCSV(path, csv)
	if err != nil {
		return nil, err
	}
	return NewDataLoaders(ds, o)
}

// Len returns the number of batches per epoch: floor(n/bs) for training (drop last),
// ceil(n/bs) for validation.
func (l *Loader) Len() int {
	n, bs := len(l.items), l.opt.BatchSize
	if l.train {
		return n / bs
	}
	return (n + bs - 1) / bs
}

// Augmented returns a loader over the same items in the same order and batches (the
// last partial batch kept, as validation does) that applies the training transforms
// (Options().Aug, random crops) with its own random stream, new at every epoch number:
// fastai's dl.new(shuffled=False, drop_last=False) under dataset.set_split_idx(0), the
// passes of test-time augmentation (learner.TTA). It shares l's batch buffers, so the two
// must not run at the same time.
func (l *Loader) Augmented() *Loader {
	a := buildLoader(l.items, l.vocab, false, l.opt, l.pool, l.stats) // items checked when l was made
	a.augment = true
	return a
}

// NumItems returns the number of items.
func (l *Loader) NumItems() int { return len(l.items) }

// Options returns the options the loader was made with.
func (l *Loader) Options() LoaderOptions { return l.opt }

// Vocab returns the class names, in target order.
func (l *Loader) Vocab() []string { return l.vocab }

// Stats returns the cumulative stage timings (shared by the loaders of a DataLoaders).
func (l *Loader) Stats() Stats { return l.stats.snapshot() }

// ResetStats zeroes the stage timings.
func (l *Loader) ResetStats() { l.stats.reset() }

// Skipped returns the images dropped so far with SkipBad, each once, in item order.
func (l *Loader) Skipped() []BadItem {
	l.mu.Lock()
	defer l.mu.Unlock()
	keys := make([]int, 0, len(l.bad))
	for k := range l.bad {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	out := make([]BadItem, len(keys))
	for i, k := range keys {
		out[i] = l.bad[k]
	}
	return out
}

// splitmix64 is the seed mixer for per-epoch and per-item generators.
func splitmix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func (l *Loader) rng(epoch, item int) *rand.Rand {
	split := uint64(1)
	if l.train {
		split = 0
	}
	a := splitmix64(l.opt.Seed ^ splitmix64(uint64(epoch)<<1|split))
	if l.augment {
		a = splitmix64(a ^ 0x7474612d61756731) // its own stream, apart from the training loader's
	}
	return rand.New(rand.NewPCG(a, splitmix64(uint64(item)+a)))
}

// order returns the item order of an epoch: a fresh permutation for training.
func (l *Loader) order(epoch int) []int {
	idx := make([]int, len(l.items))
	for i := range idx {
		idx[i] = i
	}
	if l.train {
		l.rng(epoch, -1).Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
	}
	return idx
}

// job is one image of a batch for a worker.
type job struct {
	buf  *batchBuf
	slot int
}

// Epoch returns the batches of one epoch, in order, as an iterator:
//
//	for b, err := range dl.Epoch(e) {
//		if err != nil { return err } // the first unreadable image (without SkipBad)
//		step(b.X, b.Y)
//		b.Release()
//	}
//
// Breaking out of the loop stops the workers. Only one epoch of a loader may run at a
// time.
func (l *Loader) Epoch(epoch int) iter.Seq2[*Batch, error] {
	return func(yield func(*Batch, error) bool) {
		if !l.running.CompareAndSwap(false, true) {
			yield(nil, errors.New("loader: an epoch of this loader is already running"))
			return
		}
		defer l.running.Store(false)
		l.runEpoch(epoch, yield)
	}
}

func (l *Loader) runEpoch(epoch int, yield func(*Batch, error) bool) {
	order := l.order(epoch)
	nb, bs := l.Len(), l.opt.BatchSize
	quit := make(chan struct{})
	jobs := make(chan job, bs*(l.opt.Prefetch+1))
	ready := make(chan *batchBuf, l.opt.Prefetch)
	var wg sync.WaitGroup
	for _, tr := range l.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				select {
				case <-quit:
				default:
					l.process(tr, epoch, j)
				}
				if j.buf.pending.Add(-1) == 0 {
					close(j.buf.done)
				}
			}
		}()
	}
	var orphan *batchBuf // a batch the dispatcher was filling when stopped
	wg.Add(1)
	go func() { // dispatcher: draws and resolves each batch, then queues its images
		defer wg.Done()
		defer close(jobs)
		defer close(ready)
		for bi := 0; bi < nb; bi++ {
			buf := l.prepare(epoch, order[bi*bs:min((bi+1)*bs, len(order))])
			n := len(buf.items)
			for s := 0; s < n; s++ {
				select {
				case jobs <- job{buf, s}:
				case <-quit:
					// the remaining slots are never queued: count them as done
					if buf.pending.Add(int32(s-n)) == 0 {
						close(buf.done)
					}
					orphan = buf
					return
				}
			}
			select {
			case ready <- buf:
			case <-quit:
				orphan = buf
				return
			}
		}
	}()
	var held []*batchBuf
	defer func() {
		close(quit)
		for buf := range ready {
			held = append(held, buf)
		}
		wg.Wait() // no worker touches a buffer after this
		if orphan != nil {
			held = append(held, orphan)
		}
		for _, buf := range held {
			l.pool.put(buf)
		}
	}()
	for number := 0; ; number++ {
		t0 := time.Now()
		buf, ok := <-ready
		if !ok {
			return
		}
		<-buf.done
		l.stats.wait.Add(int64(time.Since(t0)))
		if err := l.finish(buf); err != nil {
			held = append(held, buf)
			yield(nil, err)
			return
		}
		n := len(buf.items)
		if n == 0 { // every image of the batch was unreadable (SkipBad)
			l.pool.put(buf)
			continue
		}
		s := l.opt.Size
		b := &Batch{
			X:      tensor.FromData(buf.x[:3*n*s*s], 3, n, s, s),
			Y:      tensor.FromData(buf.y[:n*len(l.vocab)], n, len(l.vocab)),
			N:      n,
			Items:  buf.items,
			Number: number,
			loader: l, buf: buf,
		}
		if !yield(b, nil) {
			return
		}
	}
}

// prepare takes a buffer for the items idx and draws every image's random parameters
// from its own generator, then applies the batch-wide rules.
func (l *Loader) prepare(epoch int, idx []int) *batchBuf {
	buf := l.pool.get()
	buf.items = append(buf.items[:0], idx...)
	buf.pending.Store(int32(len(idx)))
	buf.done = make(chan struct{})
	for s, it := range idx {
		buf.errs[s] = nil
		p := IdentityAug()
		if l.train || l.augment {
			p = l.opt.Aug.Draw(l.rng(epoch, it))
		}
		buf.params[s] = p
		buf.plans[s] = planFor(p)
	}
	buf.shrink = resolveBatch(buf.plans[:len(idx)], l.opt.Resize, l.opt.Size)
	return buf
}

// process runs one image through the pipeline into its batch slot.
func (l *Loader) process(tr *transformer, epoch int, j job) {
	buf, s := j.buf, j.slot
	it := l.items[buf.items[s]]
	nc := len(l.vocab)
	y := buf.y[s*nc:][:nc]
	clear(y)
	for _, k := range it.Labels {
		y[k] = 1
	}
	sz := l.opt.Size * l.opt.Size
	var planes [3][]float32
	for c := range planes {
		planes[c] = buf.x[(c*len(buf.items)+s)*sz:][:sz]
	}
	t0 := time.Now()
	if err := tr.loadItem(&it); err != nil {
		buf.errs[s] = BadItem{Source: it.Source, Path: it.Path, Err: err}
		return
	}
	t1 := time.Now()
	px, py := 0.5, 0.5
	if l.train || l.augment {
		// the crop offsets come from a second generator of the item so that they do
		// not depend on how many augmentation draws AugOptions makes
		r := l.rng(epoch, -2-buf.items[s])
		px, py = r.Float64(), r.Float64()
	}
	tr.resize(px, py)
	t2 := time.Now()
	p := &buf.params[s]
	tr.augment(planes, &tr.big, &buf.plans[s], buf.shrink, l.train || l.augment, p.Brightness, p.Contrast)
	t3 := time.Now()
	tr.normalize(planes)
	t4 := time.Now()
	st := l.stats
	st.images.Add(1)
	st.decode.Add(int64(t1.Sub(t0)))
	st.resize.Add(int64(t2.Sub(t1)))
	st.augment.Add(int64(t3.Sub(t2)))
	st.normalize.Add(int64(t4.Sub(t3)))
}

// finish checks a completed batch for unreadable images: the first one is returned as
// the error, or, with SkipBad, they are recorded and the batch is compacted.
func (l *Loader) finish(buf *batchBuf) error {
	n := len(buf.items)
	bad := 0
	for s := 0; s < n; s++ {
		if buf.errs[s] == nil {
			continue
		}
		if !l.opt.SkipBad {
			return buf.errs[s]
		}
		bad++
		l.mu.Lock()
		if _, seen := l.bad[buf.items[s]]; !seen {
			l.bad[buf.items[s]] = buf.errs[s].(BadItem)
		}
		l.mu.Unlock()
	}
	if bad == 0 {
		return nil
	}
	// Compact the kept images to the front. Channel c's plane of kept image j moves from
	// (c·n + s) to (c·keep + j), never to a later position, so copying in order is safe.
	keep, nc, sz := n-bad, len(l.vocab), l.opt.Size*l.opt.Size
	for c := 0; c < 3; c++ {
		j := 0
		for s := 0; s < n; s++ {
			if buf.errs[s] == nil {
				copy(buf.x[(c*keep+j)*sz:][:sz], buf.x[(c*n+s)*sz:][:sz])
				j++
			}
		}
	}
	j := 0
	for s := 0; s < n; s++ {
		if buf.errs[s] == nil {
			copy(buf.y[j*nc:][:nc], buf.y[s*nc:][:nc])
			buf.items[j] = buf.items[s]
			j++
		}
	}
	buf.items = buf.items[:keep]
	return nil
}
