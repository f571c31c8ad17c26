package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/fastgo/fastgo/serve"
	"github.com/fastgo/fastgo/vision/cnn"
)

// runSoak is fastgo bench serve -soak: fastgo serve as a child process, its saturated
// throughput measured, then an open-loop load of -soak-factor times that for f.soak with its RSS
// sampled every second, then SIGTERM under the same load.
func runSoak(f *benchServeFlags, images [][]byte) error {
	model := f.model
	if model == "" {
		m, info, _, err := f.randomModel()
		if err != nil {
			return err
		}
		tmp, err := os.MkdirTemp("", "fastgo-soak-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		model = filepath.Join(tmp, "model.pth")
		if err := cnn.SaveModel(model, m, info); err != nil {
			return err
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	args := []string{"serve", "-model", model, "-addr", "127.0.0.1:0", "-log", "json",
		"-max-batch", fmt.Sprint(f.cfg.MaxBatch), "-max-wait", f.cfg.MaxWait.String(), "-max-queue", fmt.Sprint(f.cfg.MaxQueue),
		"-threads", fmt.Sprint(runtime.GOMAXPROCS(0))}
	cmd := exec.Command(exe, args...)
	cmd.Env = os.Environ()
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	defer cmd.Process.Kill()
	addr := make(chan string, 1)
	var drained atomic.Pointer[map[string]any]
	exited := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Bytes()
			if !bytes.Contains(line, []byte(`"msg":"listening"`)) && !bytes.Contains(line, []byte(`"msg":"drained"`)) {
				continue
			}
			var l map[string]any
			if json.Unmarshal(line, &l) != nil {
				continue
			}
			if l["msg"] == "listening" {
				addr <- l["addr"].(string)
			} else {
				drained.Store(&l)
			}
		}
		io.Copy(io.Discard, stderr)
		exited <- cmd.Wait()
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case err := <-exited:
		return fmt.Errorf("fastgo serve exited at start: %v", err)
	case <-time.After(2 * time.Minute):
		return errors.New("fastgo serve did not start listening in 2 minutes")
	}
	pid := cmd.Process.Pid
	fmt.Printf("soak: fastgo serve pid %d at %s, model %s, max batch %d, %d threads\n", pid, base, model, f.cfg.MaxBatch, runtime.GOMAXPROCS(0))

	// saturation: closed loop with twice a batch of clients
	sat, err := serve.LoadTest(context.Background(), serve.LoadClient(base, 2*f.cfg.MaxBatch), images,
		serve.LoadOptions{Concurrency: 2 * f.cfg.MaxBatch, Duration: 5 * time.Second, Warmup: 2 * time.Second})
	if err != nil {
		return err
	}
	rate := f.soakFactor * sat.ImagesPerSec
	fmt.Printf("saturation: %.1f images/s (closed loop, %d clients, p99 %.0f ms); soak at %g× = %.1f requests/s for %v\n",
		sat.ImagesPerSec, 2*f.cfg.MaxBatch, ms(sat.P99), f.soakFactor, rate, f.soak)
	if rate <= 0 {
		return errors.New("no request succeeded at saturation")
	}

	// open loop at twice saturation
	cl := serve.LoadClient(base, 512)
	cl.HTTP.Timeout = 60 * time.Second
	var mu sync.Mutex
	codes := map[string]int{}
	var termSent atomic.Bool
	var afterTerm = map[string]int{}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 1024)
	overflow := 0
	stopLoad := make(chan struct{})
	loadDone := make(chan struct{})
	go func() {
		defer close(loadDone)
		interval := time.Duration(float64(time.Second) / rate)
		next := time.Now()
		for i := 0; ; i++ {
			select {
			case <-stopLoad:
				return
			default:
			}
			next = next.Add(interval)
			if d := time.Until(next); d > 0 {
				time.Sleep(d)
			}
			select {
			case sem <- struct{}{}:
			default:
				mu.Lock()
				overflow++
				mu.Unlock()
				continue
			}
			wg.Add(1)
			img := images[i%len(images)]
			go func() {
				defer func() { <-sem; wg.Done() }()
				_, err := cl.Predict(context.Background(), [][]byte{img})
				key := "200"
				var se *serve.StatusError
				switch {
				case errors.As(err, &se):
					key = strconv.Itoa(se.Code)
				case err != nil:
					key = "transport"
				}
				mu.Lock()
				if termSent.Load() {
					afterTerm[key]++
				} else {
					codes[key]++
				}
				mu.Unlock()
			}()
		}
	}()
	var rss []int64
	t0 := time.Now()
	for time.Since(t0) < f.soak {
		time.Sleep(time.Second)
		kb, err := rssKiB(pid)
		if err != nil {
			return err
		}
		rss = append(rss, kb)
		if len(rss)%10 == 0 {
			mu.Lock()
			fmt.Printf("  %3d s: RSS %6.1f MiB, answers so far %v\n", len(rss), float64(kb)/1024, codes)
			mu.Unlock()
		}
	}
	termSent.Store(true)
	tTerm := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	var exitErr error
	select {
	case exitErr = <-exited:
	case <-time.After(2 * time.Minute):
		exitErr = errors.New("did not exit within 2 minutes of SIGTERM")
	}
	drainTime := time.Since(tTerm)
	close(stopLoad)
	<-loadDone
	wg.Wait()

	fmt.Printf("answers before SIGTERM: %v; client-side overflow (not sent): %d\n", codes, overflow)
	fmt.Printf("answers after SIGTERM: %v (transport: refused once the listener closed)\n", afterTerm)
	bad := 0
	for k, v := range codes {
		if k != "200" && k != "503" {
			bad += v
		}
	}
	for k, v := range afterTerm {
		if k != "200" && k != "503" && k != "transport" {
			bad += v
		}
	}
	fmt.Printf("statuses other than 200 and 503: %d\n", bad)
	if d := drained.Load(); d != nil {
		fmt.Printf("drain: server accepted %v, answered %v, in %v; exit: %v\n", (*d)["accepted"], (*d)["answered"], drainTime.Round(time.Millisecond), exitText(exitErr))
	} else {
		fmt.Printf("drain: no \"drained\" log line; exit: %v\n", exitText(exitErr))
	}
	if len(rss) > 0 {
		warm := min(len(rss)-1, 9)
		peak := slices.Max(rss)
		fmt.Printf("RSS: %.1f MiB at %d s (after warm-up), %.1f MiB at the end (%d s), peak %.1f MiB; growth after warm-up %+.1f%%\n",
			float64(rss[warm])/1024, warm+1, float64(rss[len(rss)-1])/1024, len(rss), float64(peak)/1024,
			100*float64(rss[len(rss)-1]-rss[warm])/float64(rss[warm]))
	}
	return nil
}

func exitText(err error) string {
	if err == nil {
		return "status 0"
	}
	return err.Error()
}

// rssKiB reads a process's resident set size from /proc.
func rssKiB(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, fmt.Errorf("RSS of %d: %w (the soak test needs Linux's /proc)", pid, err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("RSS of %d: no VmRSS line", pid)
}
