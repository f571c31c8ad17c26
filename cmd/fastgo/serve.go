package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/serve"
	"github.com/fastgo/fastgo/serve/predictor"
)

func init() {
	register(&command{
		name:    "serve",
		summary: "serve a trained model (.pth) over HTTP: POST /v1/predict, /healthz, /readyz, /metrics",
		run:     runServe,
	})
}

// serveFlags are fastgo serve's flags.
type serveFlags struct {
	model, addr, logFormat         string
	cfg                            serve.Config
	to                             serve.Timeouts
	threads, maxPixels, maxBodyMiB int
	fwdThreads                     int
	classes, arch, widths          string
	size                           int
}

func runServe(args []string) error {
	fs := newFlagSet("serve", "-model M.pth [flags]",
		"Serves a model saved by fastgo pascal or fastgo train over HTTP. POST /v1/predict takes one JPEG or PNG\n"+
			"image as the body, or several as multipart/form-data, and answers JSON: every class's probability and\n"+
			"the labels above -thresh, prepared as fastgo predict prepares them (the same numbers). Concurrent\n"+
			"requests share forward passes (up to -max-batch images, waiting at most -max-wait). GET /healthz,\n"+
			"/readyz and /metrics (Prometheus) serve probes and monitoring.\n\n"+
			"SIGTERM or SIGINT: /readyz fails, -drain-delay passes, the listener closes, every accepted request is\n"+
			"answered, exit 0. SIGHUP: -model is read again and, once loaded and checked, answers new requests\n"+
			"(a file that fails to load is logged and the old model goes on).\n\n"+
			"Example:\n  fastgo serve -model out/pascal/model.pth -addr 127.0.0.1:8080 -max-batch 32 -max-wait 5ms\n"+
			"  curl --data-binary @photo.jpg -H 'Content-Type: image/jpeg' http://127.0.0.1:8080/v1/predict")
	var f serveFlags
	d := serve.DefaultConfig()
	to := serve.DefaultTimeouts()
	fs.StringVar(&f.model, "model", "", "model state dict written by fastgo (model.pth)")
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8080", "address to listen on (\":8080\" for every interface, as in a container)")
	fs.IntVar(&f.cfg.MaxBatch, "max-batch", d.MaxBatch, "most images in one forward pass")
	fs.DurationVar(&f.cfg.MaxWait, "max-wait", d.MaxWait, "longest a queued image waits for requests being decoded to join its batch (or a tenth of a full batch's forward pass if longer)")
	fs.IntVar(&f.cfg.MaxQueue, "max-queue", 0, "most images queued for a forward pass before answering 503 (0: 4 × -max-batch)")
	fs.IntVar(&f.threads, "threads", 0, "threads for the forward pass and decoding (GOMAXPROCS); 0 keeps the default")
	fs.BoolVar(&f.cfg.Overlap, "overlap", false, "decode images while a forward pass runs (with -forward-threads below -threads, leaving cores to the decoders)")
	fs.IntVar(&f.fwdThreads, "forward-threads", 0, "threads of the forward pass (0: all of -threads)")
	fs.Float64Var(&f.cfg.Threshold, "thresh", d.Threshold, "probability above which a label is predicted")
	fs.DurationVar(&f.cfg.RequestTimeout, "timeout", d.RequestTimeout, "deadline of a prediction from its arrival (504 past it)")
	fs.DurationVar(&f.cfg.RetryAfter, "retry-after", d.RetryAfter, "Retry-After of a 503")
	fs.IntVar(&f.maxBodyMiB, "max-body", int(d.MaxBodyBytes>>20), "largest request body in MiB (413 past it)")
	fs.IntVar(&f.cfg.MaxImages, "max-images", d.MaxImages, "most images in one multipart request (413 past it)")
	fs.IntVar(&f.maxPixels, "max-pixels", 40<<20, "largest image, width × height, checked from its header before decoding")
	fs.DurationVar(&f.to.ReadHeader, "read-header-timeout", to.ReadHeader, "time allowed for a request's headers (slow clients)")
	fs.DurationVar(&f.to.Read, "read-timeout", to.Read, "time allowed to read a whole request")
	fs.DurationVar(&f.to.Write, "write-timeout", to.Write, "time allowed from a request's headers to the end of its answer")
	fs.DurationVar(&f.to.Idle, "idle-timeout", to.Idle, "how long an idle keep-alive connection is kept")
	fs.DurationVar(&f.to.Drain, "drain-delay", 0, "after SIGTERM, how long to go on answering with /readyz failing before closing the listener")
	fs.StringVar(&f.logFormat, "log", "text", "log format: text or json (one line per request)")
	fs.StringVar(&f.classes, "classes", "", "comma-separated class names, for a model file without fastgo's metadata")
	fs.IntVar(&f.size, "size", 0, "input side, for a model file without fastgo's metadata (0: 224)")
	fs.StringVar(&f.arch, "arch", "resnet34", "architecture (resnet18, resnet34, resnet50), for a model file without fastgo's metadata")
	fs.StringVar(&f.widths, "widths", "64,128,256,512", "stage widths, for a model file without fastgo's metadata")
	prec := addPrecisionFlag(fs)
	addConvFlag(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if _, err := setPrecision(*prec); err != nil {
		return err
	}
	if f.model == "" {
		return usagef("-model M.pth is required")
	}
	if fs.NArg() != 0 {
		return usagef("unexpected arguments %v", fs.Args())
	}
	if f.threads < 0 || f.fwdThreads < 0 || f.maxBodyMiB < 1 || f.maxPixels < 1 || f.cfg.MaxBatch < 1 || f.cfg.MaxQueue < 0 || f.cfg.MaxImages < 1 {
		return usagef("-threads must not be negative; -max-body, -max-pixels, -max-batch and -max-images must be positive")
	}
	if !(f.cfg.Threshold > 0 && f.cfg.Threshold < 1) {
		return usagef("-thresh %g: want a probability strictly between 0 and 1", f.cfg.Threshold)
	}
	if f.cfg.MaxWait < 0 || f.cfg.RequestTimeout <= 0 || f.to.ReadHeader <= 0 || f.to.Read <= 0 || f.to.Write <= 0 || f.to.Idle <= 0 || f.to.Drain < 0 {
		return usagef("-max-wait and -drain-delay must not be negative, the timeouts must be positive")
	}
	var h slog.Handler = slog.NewTextHandler(os.Stderr, nil)
	switch f.logFormat {
	case "text":
	case "json":
		h = slog.NewJSONHandler(os.Stderr, nil)
	default:
		return usagef("-log %q: want text or json", f.logFormat)
	}
	log := slog.New(h)
	f.cfg.Logger = log
	f.cfg.MaxBodyBytes = int64(f.maxBodyMiB) << 20
	if f.threads > 0 {
		runtime.GOMAXPROCS(f.threads)
		cpu.SetThreads(f.threads)
	}
	if f.fwdThreads > 0 {
		cpu.SetThreads(f.fwdThreads)
	}
	po := predictor.Options{Size: f.size, MaxPixels: f.maxPixels}
	if f.classes != "" {
		mo, err := (&dataFlags{arch: f.arch, widths: f.widths}).modelOptions()
		if err != nil {
			return err
		}
		po.Arch, po.Widths, po.Classes = mo.Arch, mo.Widths, predictor.ParseClasses(f.classes)
	}
	load := func() (*predictor.Predictor, error) {
		p, err := predictor.Load(f.model, po)
		if err != nil {
			return nil, fmt.Errorf("-model %w", err)
		}
		if err := p.Check(); err != nil {
			return nil, fmt.Errorf("-model %s: %w", f.model, err)
		}
		return p, nil
	}
	p, err := load()
	if err != nil {
		return err
	}
	name := filepath.Base(f.model)
	s, err := serve.New(p, name, f.cfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("-addr: %w", err)
	}
	info := p.Info()
	cfg := s.Config()
	log.Info("listening", "addr", ln.Addr().String(), "model", f.model, "classes", len(info.Classes), "size", info.Size,
		"widths", info.Widths, "max_batch", cfg.MaxBatch, "max_wait", cfg.MaxWait, "max_queue", cfg.MaxQueue,
		"threads", cpu.Threads(), "simd", cpu.Active())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-hup:
				log.Info("SIGHUP: reloading", "model", f.model)
				s.ReloadWith(name, func() (serve.Model, error) { return load() })
			}
		}
	}()
	go func() {
		<-ctx.Done()
		log.Info("signal: draining (a second signal is not needed; the drain ends by itself)")
	}()
	return s.Run(ctx, ln, f.to)
}
