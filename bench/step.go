package bench

import (
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/autograd"
	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/optim"
	"github.com/fastgo/fastgo/tensor"
	"github.com/fastgo/fastgo/tensor/functional"
	"github.com/fastgo/fastgo/vision/cnn"
)

// StepOptions configures a ResNet34 training-step or inference measurement.
type StepOptions struct {
	Train   bool // a training step (forward, BCE, backward, Adam); else inference
	Size    int  // input height and width (224)
	Batch   int  // images per step (64)
	Classes int  // outputs (20)
	Threads int  // GOMAXPROCS and asm threads; 0 keeps the current setting
	Warmup  int  // untimed steps first (2)
	Steps   int  // timed steps (5)
	Profile bool // collect a per-operation breakdown
	// Arch selects the network: "resnet18", "resnet34" or "resnet50" (torchvision's, as the
	// PyTorch script uses), or "fastai-resnet34" etc. (cnn_learner's body + head, all
	// trainable; "fastai" alone is fastai-resnet34).
	Arch string
	// Precision of the convolutions and linear layers (functional.FP32 or BF16); BF16
	// is an error on a CPU without bf16 instructions (functional.CheckPrecision).
	Precision functional.Precision
	// CPUProfile, when set, receives a Go CPU profile (runtime/pprof) of the timed steps.
	CPUProfile io.Writer `json:"-"`
}

// DefaultStepOptions returns the reference configuration: ResNet34, 224×224,
// batch 64, 20 classes, 2 warm-up and 5 timed steps.
func DefaultStepOptions() StepOptions {
	return StepOptions{Train: true, Size: 224, Batch: 64, Classes: 20, Warmup: 2, Steps: 5, Arch: "resnet34"}
}

// StepResult is the outcome of MeasureStep.
type StepResult struct {
	Options      StepOptions
	ImagesPerSec float64   // batch / median step time
	StepSeconds  []float64 // every timed step
	GFLOPs       float64   // floating-point work of one step (3× forward for training)
	GFLOPPerSec  float64   // GFLOPs / median step time
	PeakRSSMiB   float64   // peak resident memory of the process so far
	SIMD         string    // the kernel path
	Threads      int       // GOMAXPROCS during the steps
	// CPUSecondsPerStep is the process's CPU time (user + system) per timed step, and
	// MinorFaultsPerStep its minor page faults per timed step (0 where unknown): CPU
	// time over the median step time shows how well the threads are used, and faults
	// show fresh pages being touched.
	CPUSecondsPerStep  float64
	MinorFaultsPerStep float64
	Profile            *autograd.Profile
}

// MeasureStep builds the network, runs the warm-up and timed steps on random input and
// reports images/s (median step), GFLOP/s and peak memory.
func MeasureStep(o StepOptions) (*StepResult, error) {
	if o.Size < 32 || o.Batch < 1 || o.Steps < 1 || o.Classes < 1 {
		return nil, fmt.Errorf("bench: size %d, batch %d, steps %d, classes %d: need size ≥ 32 and the rest ≥ 1",
			o.Size, o.Batch, o.Steps, o.Classes)
	}
	if err := functional.CheckPrecision(o.Precision); err != nil {
		return nil, err
	}
	defer functional.SetPrecision(functional.SetPrecision(o.Precision))
	if o.Threads > 0 {
		prev := runtime.GOMAXPROCS(o.Threads)
		defer runtime.GOMAXPROCS(prev)
		cpu.SetThreads(o.Threads)
		defer cpu.SetThreads(0)
	}
	var model nn.Module
	var groups [][]*optim.Param
	name, fastai := strings.CutPrefix(o.Arch, "fastai")
	name = strings.TrimPrefix(name, "-")
	arch, err := nn.ArchByName(name)
	if err != nil {
		return nil, fmt.Errorf("bench: -arch %q: want resnet18, resnet34, resnet50 (torchvision's, as the PyTorch script) or fastai-<arch> (cnn_learner's body + head)", o.Arch)
	}
	if fastai {
		c, err := cnn.NewModel(arch, o.Classes, cnn.ModelOptions{Seed: 1})
		if err != nil {
			return nil, err
		}
		model, groups = c, cnn.AsModel(c).ParamGroups()
	} else {
		r := nn.NewResNetArch(arch, nn.Widths, o.Classes)
		nn.InitResNet(r, rand.New(rand.NewPCG(1, 2)))
		model = r
		groups = [][]*optim.Param{optimParams(nn.Parameters(r))}
	}
	if !o.Train {
		// Inference as served (serve/predictor): folded weights and Winograd filters
		// made once, on the warm-up step.
		nn.KeepFolded(model, true)
	}
	opt, err := optim.NewAdam(groups, optim.AdamDefaults())
	if err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(3, 4))
	x := tensor.RandN(rng, 1, 3, o.Batch, o.Size, o.Size)
	y := tensor.New(o.Batch, o.Classes)
	for i := range y.Data() {
		if rng.Float64() < 0.1 {
			y.Data()[i] = 1
		}
	}
	pool := autograd.ProcessPool()
	mode := autograd.NoGrad
	if o.Train {
		mode = autograd.Record
	}
	var prof *autograd.Profile
	if o.Profile {
		prof = autograd.NewProfile()
	}
	step := func(p *autograd.Profile) {
		g := autograd.NewGraph(pool, mode)
		g.Training = o.Train
		g.Profile = p
		logits := model.Forward(g, g.Input(x))
		if o.Train {
			g.Backward(autograd.BCEWithLogits(logits, y))
			opt.Step()
			opt.ZeroGrad()
		}
		g.Release()
	}
	// One profiled step measures the FLOPs even when no breakdown is wanted.
	count := autograd.NewProfile()
	step(count)
	for i := 1; i < o.Warmup; i++ {
		step(nil)
	}
	res := &StepResult{Options: o, SIMD: cpu.Active().String(), Profile: prof, Threads: runtime.GOMAXPROCS(0)}
	if o.CPUProfile != nil {
		if err := pprof.StartCPUProfile(o.CPUProfile); err != nil {
			return nil, err
		}
	}
	cpu0, faults0, countersOK := processCounters()
	for i := 0; i < o.Steps; i++ {
		t0 := time.Now()
		step(prof)
		res.StepSeconds = append(res.StepSeconds, time.Since(t0).Seconds())
	}
	if cpu1, faults1, ok := processCounters(); ok && countersOK {
		res.CPUSecondsPerStep = (cpu1 - cpu0) / float64(o.Steps)
		res.MinorFaultsPerStep = float64(faults1-faults0) / float64(o.Steps)
	}
	if o.CPUProfile != nil {
		pprof.StopCPUProfile()
	}
	med := median(res.StepSeconds)
	res.ImagesPerSec = float64(o.Batch) / med
	res.GFLOPs = float64(count.FLOPs) / 1e9
	if o.Train {
		res.GFLOPs *= 3
	}
	res.GFLOPPerSec = res.GFLOPs / med
	res.PeakRSSMiB = peakRSSMiB()
	return res, nil
}

func optimParams(ps []nn.Named) []*optim.Param {
	out := make([]*optim.Param, len(ps))
	for i, p := range ps {
		out[i] = &optim.Param{Name: p.Name, Var: p.Param, NoDecay: p.Kind != nn.Weight, ForceTrain: p.Kind == nn.NormParam}
	}
	return out
}

func mean(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(max(len(x), 1))
}

func median(x []float64) float64 {
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Write prints the result as a short report, with the per-operation breakdown when
// profiled.
func (r *StepResult) Write(w io.Writer) {
	kind := "inference"
	if r.Options.Train {
		kind = "training step"
	}
	fmt.Fprintf(w, "%s, %s %d×%d, batch %d, %d threads, %s kernels, %v\n", kind, r.Options.Arch, r.Options.Size,
		r.Options.Size, r.Options.Batch, r.Threads, r.SIMD, r.Options.Precision)
	fmt.Fprintf(w, "  images/s      %.2f (median of %d steps: %s s)\n", r.ImagesPerSec, len(r.StepSeconds), fmtSecs(r.StepSeconds))
	fmt.Fprintf(w, "  GFLOP/s       %.1f (%.1f GFLOP per step)\n", r.GFLOPPerSec, r.GFLOPs)
	fmt.Fprintf(w, "  peak RSS      %.0f MiB\n", r.PeakRSSMiB)
	if r.CPUSecondsPerStep > 0 {
		fmt.Fprintf(w, "  CPU per step  %.2f s (%.2f cores busy over the mean step), %.0f minor page faults\n",
			r.CPUSecondsPerStep, r.CPUSecondsPerStep/mean(r.StepSeconds), r.MinorFaultsPerStep)
	}
	if r.Profile != nil {
		fmt.Fprintln(w)
		r.Profile.Write(w, len(r.StepSeconds))
	}
}

func fmtSecs(x []float64) string {
	s := ""
	for i, v := range x {
		if i > 0 {
			s += " "
		}
		s += fmt.Sprintf("%.2f", v)
	}
	return s
}
