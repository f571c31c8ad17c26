package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/serve"
	"github.com/fastgo/fastgo/vision"
	"github.com/fastgo/fastgo/vision/cnn"
	"github.com/fastgo/fastgo/vision/synth"
)

// saveTiny writes a reduced-width model with fastgo's metadata, as fastgo pascal
// saves one.
func saveTiny(t *testing.T, path string, seed uint64) {
	t.Helper()
	info := cnn.ModelInfo{Widths: [4]int{8, 16, 32, 64}, Classes: []string{"circle", "ring", "square", "triangle"},
		Size: 40, Resize: 52, Mean: vision.ImageNetMean, Std: vision.ImageNetStd}
	m, err := cnn.NewModel(nn.ResNet34, len(info.Classes), cnn.ModelOptions{Widths: info.Widths, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	if err := cnn.SaveModel(path, m, info); err != nil {
		t.Fatal(err)
	}
}

// predictJSON runs fastgo predict -json and returns each image's probabilities.
func predictJSON(t *testing.T, model string, imgs []string) map[string]map[string]float64 {
	t.Helper()
	r := fastgo(t, nil, append([]string{"predict", "-model", model, "-json", "-bs", "3"}, imgs...)...)
	if r.code != 0 {
		t.Fatalf("predict: exit %d\n%s", r.code, r.stderr)
	}
	out := map[string]map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		var p prediction
		if err := json.Unmarshal([]byte(line), &p); err != nil {
			t.Fatal(err)
		}
		out[p.Image] = p.Probabilities
	}
	return out
}

// serveProc is a running fastgo serve whose JSON log lines are collected.
type serveProc struct {
	cmd  *exec.Cmd
	url  string
	mu   sync.Mutex
	logs []map[string]any
	done chan error
}

func (p *serveProc) logged(msg string) map[string]any {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.logs {
		if l["msg"] == msg {
			return l
		}
	}
	return nil
}

func startServe(t *testing.T, args ...string) *serveProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"serve", "-addr", "127.0.0.1:0", "-log", "json"}, args...)...)
	cmd.Env = append(os.Environ(), "FASTGO_TEST_MAIN=1")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serveProc{cmd: cmd, done: make(chan error, 1)}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			var l map[string]any
			if json.Unmarshal(sc.Bytes(), &l) != nil {
				l = map[string]any{"msg": "(not JSON) " + sc.Text()}
			}
			p.mu.Lock()
			p.logs = append(p.logs, l)
			p.mu.Unlock()
			if l["msg"] == "listening" {
				addr <- l["addr"].(string)
			}
		}
		io.Copy(io.Discard, stderr)
		p.done <- cmd.Wait()
		close(addr)
	}()
	t.Cleanup(func() { cmd.Process.Kill() })
	select {
	case a, ok := <-addr:
		if !ok {
			t.Fatalf("fastgo serve exited: %v %v", <-p.done, p.logs)
		}
		p.url = "http://" + a
	case <-time.After(60 * time.Second):
		t.Fatal("fastgo serve did not start listening")
	}
	return p
}

// TestServeMatchesPredict: fastgo serve answers exactly fastgo predict's
// probabilities (one image per request and all in one multipart request), reloads
// -model on SIGHUP (keeping the old one when the new file is bad), and drains on
// SIGTERM under load: every accepted request answered, exit 0.
func TestServeMatchesPredict(t *testing.T) {
	dir := t.TempDir()
	if _, err := synth.Generate(dir, synth.Options{Seed: 5, Train: 5, Valid: 0, Size: 70}); err != nil {
		t.Fatal(err)
	}
	imgs, _ := filepath.Glob(filepath.Join(dir, "train", "*.jpg"))
	model := filepath.Join(dir, "model.pth")
	saveTiny(t, model, 1)
	want := predictJSON(t, model, imgs)

	p := startServe(t, "-model", model, "-max-batch", "4")
	c := serve.NewClient(p.url)
	data := make([][]byte, len(imgs))
	for i, f := range imgs {
		var err error
		if data[i], err = os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
	check := func(want map[string]map[string]float64, what string) {
		t.Helper()
		resp, err := c.PredictNamed(context.Background(), imgs, data)
		if err != nil {
			t.Fatal(err)
		}
		for i, pr := range resp.Predictions {
			w := want[imgs[i]]
			for k, v := range pr.Probabilities {
				if w[k] != v || len(w) != len(pr.Probabilities) {
					t.Fatalf("%s: %s: served %v, predict %v", what, imgs[i], pr.Probabilities, w)
				}
			}
			one, err := c.Predict(context.Background(), [][]byte{data[i]})
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range one.Predictions[0].Probabilities {
				if w[k] != v {
					t.Fatalf("%s: %s alone: served %v, predict %v", what, imgs[i], one.Predictions[0].Probabilities, w)
				}
			}
		}
	}
	check(want, "model 1")

	// SIGHUP with a bad file: logged, the old model goes on
	if err := os.WriteFile(model+".new", []byte("not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Rename(model, model+".1")
	os.Rename(model+".new", model)
	p.cmd.Process.Signal(syscall.SIGHUP)
	waitLog(t, p, "model reload failed; the previous model goes on")
	check(want, "model 1 after a bad reload")
	// SIGHUP with another model: its numbers from then on
	saveTiny(t, model, 2)
	want2 := predictJSON(t, model, imgs)
	p.cmd.Process.Signal(syscall.SIGHUP)
	waitLog(t, p, "model reloaded")
	check(want2, "model 2")

	// SIGTERM under load
	var ok, failed atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := c.Predict(context.Background(), [][]byte{data[i]}); err == nil {
					ok.Add(1)
				} else {
					failed.Add(1)
					time.Sleep(time.Millisecond)
				}
			}
		}()
	}
	for ok.Load() < 10 {
		time.Sleep(5 * time.Millisecond)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	var err error
	select {
	case err = <-p.done:
	case <-time.After(60 * time.Second):
		t.Fatal("fastgo serve did not exit after SIGTERM")
	}
	close(stop)
	wg.Wait()
	if err != nil {
		t.Errorf("fastgo serve after SIGTERM: %v", err)
	}
	d := p.logged("drained")
	if d == nil || d["accepted"] != d["answered"] {
		t.Errorf("drain log %v", d)
	}
	t.Logf("drain: %v; clients: %d answered, %d refused after the listener closed", d, ok.Load(), failed.Load())
	if d != nil && int64(d["answered"].(float64)) < ok.Load() {
		t.Errorf("clients got %d answers, the server answered %v", ok.Load(), d["answered"])
	}
}

func waitLog(t *testing.T, p *serveProc, msg string) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if p.logged(msg) != nil {
			return
		}
	}
	t.Fatalf("no log line %q", msg)
}
