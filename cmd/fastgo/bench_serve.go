package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/serve"
	"github.com/fastgo/fastgo/serve/predictor"
	"github.com/fastgo/fastgo/vision"
	"github.com/fastgo/fastgo/vision/cnn"
	"github.com/fastgo/fastgo/vision/synth"
)

// benchServeFlags are fastgo bench serve's flags.
type benchServeFlags struct {
	model, arch, widths, images, target, concurrency  string
	size, classes, nImages, imageSize, steps, threads int
	requests, perRequest                              int
	duration, warmup, soak                            time.Duration
	soakFactor                                        float64
	cfg                                               serve.Config
	asJSON                                            bool
}

func init() {
	registerBench(&benchKind{name: "serve", summary: "fastgo serve under closed-loop load (loopback): images/s and p50/p95/p99 per concurrency, beside the forward pass alone",
		run: runBenchServe})
}

func runBenchServe(args []string) error {
	fs := newFlagSet("bench serve", "[flags]",
		"Starts fastgo serve's server in this process on a loopback port (or loads one already running at -url,\n"+
			"which must be a loopback address) and runs closed-loop clients against it, one image per request, at\n"+
			"each -concurrency: images/s, p50/p95/p99 latency, errors and the mean batch formed. Beside them: the\n"+
			"same model's forward pass alone at -max-batch and at 1 image (what fastgo bench infer measures).\n"+
			"Without -model, a model with random weights of -arch/-widths/-size is served.\n\n"+
			"-soak D instead runs fastgo serve as a child process under an open-loop load of twice its saturated\n"+
			"throughput for D, samples its RSS every second, then sends it SIGTERM under that load and reports\n"+
			"the statuses, the drain (requests accepted and answered) and the exit status.\n\n"+
			"Example:\n  fastgo bench serve -widths 8,16,32,64 -size 64 -concurrency 1,8,32 -duration 3s\n"+
			"  fastgo bench serve -model out/pascal/model.pth -soak 60s")
	var f benchServeFlags
	d := serve.DefaultConfig()
	fs.StringVar(&f.model, "model", "", "model file written by fastgo (default: random weights of -arch, -widths, -size)")
	fs.StringVar(&f.arch, "arch", "resnet34", "architecture of the random model")
	fs.StringVar(&f.widths, "widths", "64,128,256,512", "stage widths of the random model")
	fs.IntVar(&f.size, "size", 224, "input side of the random model")
	fs.IntVar(&f.classes, "classes", 20, "classes of the random model")
	fs.StringVar(&f.images, "images", "", "folder of JPEG/PNG images to send (default: -n-images generated ones)")
	fs.IntVar(&f.nImages, "n-images", 16, "generated images")
	fs.IntVar(&f.imageSize, "image-size", 384, "side of the generated images (PASCAL's are about 500×375)")
	fs.StringVar(&f.target, "url", "", "load a server already running here (loopback only) instead of starting one")
	fs.StringVar(&f.concurrency, "concurrency", "1,2,4,8,16,32,64", "closed-loop client counts, comma-separated")
	fs.DurationVar(&f.duration, "duration", 5*time.Second, "measured time per concurrency")
	fs.DurationVar(&f.warmup, "warmup", time.Second, "unmeasured load before each concurrency")
	fs.IntVar(&f.requests, "requests", 0, "stop each concurrency after this many requests (0: -duration only)")
	fs.IntVar(&f.perRequest, "per-request", 1, "images per request (more than 1: multipart)")
	fs.IntVar(&f.steps, "steps", 5, "timed forward passes of the forward-only reference (the median is reported)")
	fs.IntVar(&f.threads, "threads", 0, "threads (GOMAXPROCS); 0 keeps the default")
	fs.IntVar(&f.cfg.MaxBatch, "max-batch", d.MaxBatch, "server: most images per forward pass (and the reference's batch size)")
	fs.DurationVar(&f.cfg.MaxWait, "max-wait", d.MaxWait, "server: longest wait for a batch to fill")
	fs.IntVar(&f.cfg.MaxQueue, "max-queue", 0, "server: most queued images (0: 4 × -max-batch)")
	fs.DurationVar(&f.soak, "soak", 0, "run the soak test for this long instead (child process, 2× saturation, RSS, SIGTERM drain)")
	fs.Float64Var(&f.soakFactor, "soak-factor", 2, "the soak's request rate, in multiples of the saturated throughput")
	fs.BoolVar(&f.asJSON, "json", false, "print the results as JSON")
	prec := addPrecisionFlag(fs)
	addConvFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if _, err := setPrecision(*prec); err != nil {
		return err
	}
	levels, err := parseCounts("concurrency", "client count", f.concurrency)
	if err != nil {
		return err
	}
	if f.duration <= 0 || f.warmup < 0 || f.steps < 1 || f.threads < 0 || f.nImages < 1 || f.imageSize < 8 || f.perRequest < 1 ||
		f.cfg.MaxBatch < 1 || f.cfg.MaxQueue < 0 || f.soak < 0 || !(f.soakFactor > 0) {
		return usagef("-duration, -steps, -n-images, -per-request, -max-batch must be positive, -image-size ≥ 8, the others not negative")
	}
	if f.target != "" {
		if err := checkLoopback(f.target); err != nil {
			return err
		}
	}
	if f.threads > 0 {
		runtime.GOMAXPROCS(f.threads)
		cpu.SetThreads(f.threads)
	}
	images, err := f.loadImages()
	if err != nil {
		return err
	}
	if f.soak > 0 {
		return runSoak(&f, images)
	}
	out := benchServeResult{CPU: cpu.CPUName(), Threads: runtime.GOMAXPROCS(0), SIMD: cpu.Active().String(),
		MaxBatch: f.cfg.MaxBatch, MaxWait: f.cfg.MaxWait.String()}
	base := f.target
	var srv *serve.Server
	if base != "" {
		out.Model = base
	} else {
		p, name, err := f.predictor()
		if err != nil {
			return err
		}
		out.Model = name
		if out.ForwardBatch, out.ForwardSingle, out.Prepare, err = forwardReference(p, images, f.cfg.MaxBatch, f.steps); err != nil {
			return err
		}
		f.cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
		srv, err = serve.New(p, name, f.cfg)
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- srv.Run(ctx, ln, serve.DefaultTimeouts()) }()
		defer func() { cancel(); <-done }()
		base = "http://" + ln.Addr().String()
	}
	if !f.asJSON {
		out.header(os.Stdout)
	}
	for _, c := range levels {
		cl := serve.LoadClient(base, c)
		var before serve.Stats
		if srv != nil {
			before = srv.Stats()
		}
		r, err := serve.LoadTest(context.Background(), cl, images, serve.LoadOptions{Concurrency: c, Duration: f.duration,
			Requests: f.requests, Warmup: f.warmup, PerRequest: f.perRequest})
		if err != nil {
			return err
		}
		lv := benchServeLevel{LoadResult: r}
		if srv != nil {
			after := srv.Stats()
			if b := after.Batches - before.Batches; b > 0 {
				lv.MeanBatch = float64(after.Images-before.Images) / float64(b)
				lv.ForwardShare = (after.Forward - before.Forward).Seconds() / (r.Elapsed + f.warmup).Seconds()
				lv.ForwardImgPerSec = float64(after.Images-before.Images) / (after.Forward - before.Forward).Seconds()
			}
		}
		out.Levels = append(out.Levels, lv)
		if !f.asJSON {
			out.row(os.Stdout, lv)
		}
	}
	if f.asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	out.summary(os.Stdout)
	return nil
}

// checkLoopback refuses a -url that is not a loopback address: the load generator is
// for one's own machine.
func checkLoopback(base string) error {
	u, err := url.Parse(base)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return usagef("-url %q: want http://HOST:PORT", base)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return usagef("-url %q: only loopback addresses (127.0.0.0/8, ::1, localhost) are loaded", base)
	}
	return nil
}

// loadImages reads -images or generates pictures.
func (f *benchServeFlags) loadImages() ([][]byte, error) {
	dir := f.images
	if dir == "" {
		tmp, err := os.MkdirTemp("", "fastgo-bench-serve-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(tmp)
		if _, err := synth.Generate(tmp, synth.Options{Seed: 7, Train: f.nImages, Size: f.imageSize, Quality: 90}); err != nil {
			return nil, err
		}
		dir = filepath.Join(tmp, "train")
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("-images: %w", err)
	}
	var out [][]byte
	for _, e := range entries {
		ext := strings.ToLower(filepath.Ext(e.Name()))
		if e.IsDir() || ext != ".jpg" && ext != ".jpeg" && ext != ".png" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		if out = append(out, b); len(out) == 256 {
			break
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("-images %s: no .jpg, .jpeg or .png file", dir)
	}
	return out, nil
}

// predictor loads -model or builds the random model.
func (f *benchServeFlags) predictor() (*predictor.Predictor, string, error) {
	if f.model != "" {
		p, err := predictor.Load(f.model, predictor.Options{})
		if err != nil {
			return nil, "", fmt.Errorf("-model %w", err)
		}
		return p, filepath.Base(f.model), nil
	}
	m, info, name, err := f.randomModel()
	if err != nil {
		return nil, "", err
	}
	p, err := predictor.New(m, info, 0)
	if err != nil {
		return nil, "", err
	}
	return p, name, nil
}

// randomModel builds the model of -arch, -widths, -size and -classes with random
// weights.
func (f *benchServeFlags) randomModel() (*nn.CNN, cnn.ModelInfo, string, error) {
	var info cnn.ModelInfo
	mo, err := (&dataFlags{arch: f.arch, widths: f.widths}).modelOptions()
	if err != nil {
		return nil, info, "", err
	}
	if f.size < 32 || f.classes < 1 {
		return nil, info, "", usagef("-size must be ≥ 32 and -classes ≥ 1")
	}
	info = cnn.ModelInfo{Arch: mo.Arch.Name, Widths: mo.Widths, Size: f.size, Resize: (f.size*460 + 112) / 224,
		Mean: vision.ImageNetMean, Std: vision.ImageNetStd}
	for i := range f.classes {
		info.Classes = append(info.Classes, fmt.Sprintf("class%d", i))
	}
	m, err := cnn.NewModel(mo.Arch, f.classes, cnn.ModelOptions{Widths: mo.Widths, Seed: 1})
	if err != nil {
		return nil, info, "", err
	}
	return m, info, cnn.Describe(mo.Arch, mo.Widths) + fmt.Sprintf(" at %d px, random weights", f.size), nil
}

// forwardReference times the forward pass alone on prepared images: the median of
// steps passes at batch bs (images/s) and at 1 image (seconds), after one untimed
// pass each. This is what fastgo bench infer measures, on this model. prepare is the
// median time to decode and prepare one of the images (one goroutine).
func forwardReference(p *predictor.Predictor, images [][]byte, bs, steps int) (imgPerSec, single, prepare float64, err error) {
	L, c := p.InputLen(), len(p.Classes())
	prepared := make([][]float32, min(len(images), bs))
	var tp []float64
	for i := range prepared {
		prepared[i] = make([]float32, L)
		t := time.Now()
		if err := p.Preprocess(images[i], prepared[i]); err != nil {
			return 0, 0, 0, fmt.Errorf("image %d: %w", i, err)
		}
		tp = append(tp, time.Since(t).Seconds())
	}
	slices.Sort(tp)
	prepare = tp[len(tp)/2]
	median := func(n int) (float64, error) {
		x := make([]float32, n*L)
		sz := L / 3
		for i := range n {
			for ch := range 3 {
				copy(x[(ch*n+i)*sz:][:sz], prepared[i%len(prepared)][ch*sz:][:sz])
			}
		}
		probs := make([]float32, n*c)
		var ts []float64
		for k := range steps + 1 {
			t := time.Now()
			if err := p.Forward(x, n, probs); err != nil {
				return 0, err
			}
			if k > 0 {
				ts = append(ts, time.Since(t).Seconds())
			}
		}
		slices.Sort(ts)
		return ts[len(ts)/2], nil
	}
	tb, err := median(bs)
	if err != nil {
		return 0, 0, 0, err
	}
	t1, err := median(1)
	if err != nil {
		return 0, 0, 0, err
	}
	return float64(bs) / tb, t1, prepare, nil
}

// benchServeResult is the report of fastgo bench serve.
type benchServeResult struct {
	CPU      string `json:"cpu"`
	Threads  int    `json:"threads"`
	SIMD     string `json:"simd"`
	Model    string `json:"model"`
	MaxBatch int    `json:"max_batch"`
	MaxWait  string `json:"max_wait"`
	// ForwardBatch is the forward pass alone at MaxBatch (images/s); ForwardSingle one
	// image's forward pass (seconds). Zero against an external server.
	ForwardBatch  float64 `json:"forward_images_per_s"`
	ForwardSingle float64 `json:"forward_single_s"`
	// Prepare is one image's decoding and preparation (seconds, one goroutine): work
	// the server does on the same cores besides the forward pass.
	Prepare float64           `json:"prepare_s"`
	Levels  []benchServeLevel `json:"levels"`
}

type benchServeLevel struct {
	serve.LoadResult
	MeanBatch float64 `json:"mean_batch"`
	// ForwardShare is the part of the level's time (warm-up included) spent in forward
	// passes; ForwardImgPerSec the images per second of those passes.
	ForwardShare     float64 `json:"forward_share"`
	ForwardImgPerSec float64 `json:"forward_images_per_s"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func (r *benchServeResult) header(w io.Writer) {
	fmt.Fprintf(w, "fastgo bench serve: %s, %d threads, %s; model %s; max batch %d, max wait %s\n", r.CPU, r.Threads, r.SIMD, r.Model, r.MaxBatch, r.MaxWait)
	if r.ForwardBatch > 0 {
		fmt.Fprintf(w, "forward pass alone (as fastgo bench infer): %.1f images/s at batch %d; %.2f ms for one image\n", r.ForwardBatch, r.MaxBatch, 1000*r.ForwardSingle)
		fmt.Fprintf(w, "decoding and preparing one image: %.2f ms (one goroutine); forward + preparation on %d threads: at most %.1f images/s\n",
			1000*r.Prepare, r.Threads, r.ceiling())
	}
	fmt.Fprintf(w, "%11s %9s %9s %10s %8s %8s %8s %10s %10s %8s %9s  %s\n", "concurrency", "requests", "images/s", "vs forward", "p50 ms", "p95 ms", "p99 ms", "p99/single", "mean batch", "fwd busy", "fwd img/s", "errors")
}

func (r *benchServeResult) row(w io.Writer, l benchServeLevel) {
	vs, p99 := "-", "-"
	if r.ForwardBatch > 0 {
		vs = fmt.Sprintf("%.0f%%", 100*l.ImagesPerSec/r.ForwardBatch)
		p99 = fmt.Sprintf("%.2f", l.P99.Seconds()/r.ForwardSingle)
	}
	errs := "0"
	if n := l.ErrorCount(); n > 0 {
		errs = fmt.Sprint(l.Errors)
	}
	fmt.Fprintf(w, "%11d %9d %9.1f %10s %8.2f %8.2f %8.2f %10s %10.1f %7.0f%% %9.1f  %s\n", l.Concurrency, l.Requests, l.ImagesPerSec, vs,
		ms(l.P50), ms(l.P95), ms(l.P99), p99, l.MeanBatch, 100*l.ForwardShare, l.ForwardImgPerSec, errs)
}

// ceiling is the throughput if the cores did nothing but the batched forward passes
// and the images' preparation: 1 / (1/forward + prepare/threads).
func (r *benchServeResult) ceiling() float64 {
	return 1 / (1/r.ForwardBatch + r.Prepare/float64(r.Threads))
}

func (r *benchServeResult) summary(w io.Writer) {
	if r.ForwardBatch == 0 || len(r.Levels) == 0 {
		return
	}
	best := slices.MaxFunc(r.Levels, func(a, b benchServeLevel) int {
		return cmp.Compare(a.ImagesPerSec, b.ImagesPerSec)
	})
	fmt.Fprintf(w, "saturation: %.1f images/s at concurrency %d = %.0f%% of the forward pass alone at batch %d (target ≥ 90%%), %.0f%% of forward + preparation\n",
		best.ImagesPerSec, best.Concurrency, 100*best.ImagesPerSec/r.ForwardBatch, r.MaxBatch, 100*best.ImagesPerSec/r.ceiling())
	for _, l := range r.Levels {
		if l.Concurrency == 1 {
			fmt.Fprintf(w, "concurrency 1: p99 %.2f ms = %.2f× one image's forward pass (target ≤ 1.5×)\n", ms(l.P99), l.P99.Seconds()/r.ForwardSingle)
		}
	}
}
