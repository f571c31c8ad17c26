package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fastgo/fastgo/cmd/fastgo/internal/report"
	"github.com/fastgo/fastgo/vision/synth"
)

// tiny are the flags of a run that goes through every phase of the seed sequence in a
// few seconds: a reduced-width ResNet34 at 16 px, 3 batches per epoch, 9-batch lr_finds.
var tiny = []string{"-widths", "4,8,8,16", "-size", "16", "-bs", "8", "-lr-find-iters", "9", "-workers", "2", "-quiet"}

// tinyBuiltin adds the built-in sample's counts.
var tinyBuiltin = append([]string{"-sample-train", "24", "-sample-valid", "10", "-no-pretrain"}, tiny...)

// pascalTarball packs a generated data set as fastai's pascal_2007.tgz (one top folder).
func pascalTarball(t *testing.T) []byte {
	t.Helper()
	dir := t.TempDir()
	if _, err := synth.Generate(dir, synth.Options{Seed: 3, Train: 24, Valid: 10, Size: 32}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		name := "pascal_2007/" + filepath.ToSlash(rel)
		if d.IsDir() {
			return tw.WriteHeader(&tar.Header{Name: name + "/", Typeflag: tar.TypeDir, Mode: 0o755})
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(b))}); err != nil {
			return err
		}
		_, err = tw.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	tw.Close()
	zw.Close()
	return buf.Bytes()
}

func readReport(t *testing.T, out string) *report.Report {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := report.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// numbers is what a resumed run must reproduce exactly: every phase's lr_find
// suggestions, table values (not times), per-batch losses and evaluation, and the
// final results.
func numbers(t *testing.T, r *report.Report) string {
	t.Helper()
	type phase struct {
		Name   string
		LRFind []report.Float
		Rows   [][]report.Float
		Losses []report.Float
		Eval   *report.Eval
	}
	var ps []phase
	for _, p := range r.Phases {
		q := phase{Name: p.Name, Losses: p.Losses, Eval: p.Eval}
		if p.LRFind != nil {
			q.LRFind = []report.Float{p.LRFind.LRMin, p.LRFind.LRSteep}
		}
		for _, row := range p.Rows {
			q.Rows = append(q.Rows, append(append([]report.Float{}, row.Values...), row.MAP07, row.MAP10))
		}
		ps = append(ps, q)
	}
	b, err := json.Marshal(struct {
		Phases  []phase
		Results []*report.Eval
	}{ps, r.Results})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestPascalEndToEnd downloads a tiny data set from a local server with -download, runs
// the whole seed sequence on it, checks the outputs, and labels two images with the
// saved model.
func TestPascalEndToEnd(t *testing.T) {
	data := pascalTarball(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/pascal_2007.tgz" {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	defer srv.Close()
	home, out := t.TempDir(), t.TempDir()
	args := append([]string{"pascal", "-download", "-download-url", srv.URL + "/pascal_2007.tgz", "-out", out}, tiny...)
	r := fastgo(t, []string{"FASTGO_HOME=" + home}, args...)
	if r.code != 0 {
		t.Fatalf("fastgo %v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(home, "data", "pascal_2007", "train.csv")); err != nil {
		t.Errorf("the download is not in the cache: %v", err)
	}
	for _, want := range []string{
		"note: no -pretrained weights", "0.929 (mAP 0.15)", "0.928", "0.934 (mAP 0.26)", "fastgo train -data DIR -unfreeze -epochs 13 -lr 3e-3",
		"== Phase 1/4: freeze(); lr_find(); fit_one_cycle(4, 5e-2)",
		"== Phase 2/4: unfreeze(); lr_find(); fit_one_cycle(4, slice(1e-6, 1e-4))",
		"== Phase 3/4: freeze_to(-2); lr_find(); fit_one_cycle(2, 1e-5)",
		"== Phase 4/4: freeze_to(-1); lr_find(); fit_one_cycle(3, 5e-3)",
		"SuggestedLRs(lr_min=", "epoch     train_loss  valid_loss  accuracy_multi  time",
		"epoch     train_loss  valid_loss  accuracy_multi  accuracy_multi  accuracy_multi",
		"learner 1 (after freeze_to(-1)): accuracy_multi@0.5", "learner 2 (after fine_tune(1), unfrozen epoch)",
		"images/s", "report: " + filepath.Join(out, "report.md"),
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	rep := readReport(t, out)
	if len(rep.Phases) != 6 || len(rep.Results) != 2 || rep.Finished == "" || rep.WallSeconds <= 0 || !strings.Contains(rep.Data.Source, "pascal_2007") {
		t.Errorf("report: %d phases, %d results, finished %q, wall %v, data %q", len(rep.Phases), len(rep.Results), rep.Finished, rep.WallSeconds, rep.Data.Source)
	}
	for _, f := range []string{"report.md", "losses.png", "lr_find_1.png", "lr_find_2.png", "lr_find_3.png", "lr_find_4.png",
		"show_batch.png", "show_results.png", "show_results_fine_tune.png", "model.pth", "model_learner1.pth", "checkpoint.pth"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("output %s: %v", f, err)
		}
	}
	md, _ := os.ReadFile(filepath.Join(out, "report.md"))
	for _, want := range []string{"| threshold | 0.1 | 0.2 |", "AP (VOC07) | AP (VOC2010)", "![lr_find](lr_find_1.png)"} {
		if !strings.Contains(string(md), want) {
			t.Errorf("report.md lacks %q", want)
		}
	}

	// fastgo predict labels images with the saved model.
	imgs := []string{filepath.Join(home, "data", "pascal_2007", "train", "000000.jpg"), filepath.Join(home, "data", "pascal_2007", "train", "000001.jpg")}
	p := fastgo(t, nil, append([]string{"predict", "-model", filepath.Join(out, "model.pth"), "-json"}, imgs...)...)
	if p.code != 0 {
		t.Fatalf("predict: exit %d\n%s", p.code, p.stderr)
	}
	lines := strings.Split(strings.TrimSpace(p.stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("predict printed %d lines:\n%s", len(lines), p.stdout)
	}
	for i, line := range lines {
		var pr prediction
		if err := json.Unmarshal([]byte(line), &pr); err != nil || pr.Image != imgs[i] || len(pr.Probabilities) != len(rep.Data.Classes) {
			t.Errorf("prediction %d: %q (%v)", i, line, err)
		}
	}
	// A file that is no image is named in a clear error.
	bad := fastgo(t, nil, "predict", "-model", filepath.Join(out, "model.pth"), filepath.Join(out, "report.md"))
	if bad.code != 1 || !strings.Contains(bad.stderr, "report.md") {
		t.Errorf("predict on a text file: exit %d\n%s", bad.code, bad.stderr)
	}
	noCrash(t, []string{"predict"}, bad)
}

// waitForFile polls until path exists or the process ends.
func waitForFile(t *testing.T, path string, done <-chan error) bool {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if _, err := os.Stat(path); err == nil {
			return true
		}
		select {
		case <-done:
			return false
		case <-time.After(5 * time.Millisecond):
		}
	}
	t.Fatalf("%s did not appear", path)
	return false
}

// TestPascalResumeAfterKill runs the sequence on the built-in sample without
// interruption, then again killed (SIGKILL) as soon as the first checkpoint exists, then
// resumes it with -resume until the end; the final numbers must be the uninterrupted
// run's. A third run is stopped with SIGINT, which must write a checkpoint and say how to
// continue.
func TestPascalResumeAfterKill(t *testing.T) {
	full := t.TempDir()
	r := fastgo(t, nil, append([]string{"pascal", "-out", full}, tinyBuiltin...)...)
	if r.code != 0 {
		t.Fatalf("uninterrupted run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	want := numbers(t, readReport(t, full))

	for _, sig := range []os.Signal{os.Kill, syscall.SIGINT} {
		out := t.TempDir()
		args := append([]string{"pascal", "-out", out}, tinyBuiltin...)
		cmd, stdout, stderr := fastgoCmd(t, nil, args...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		if !waitForFile(t, filepath.Join(out, "checkpoint.pth"), done) {
			t.Fatalf("%v: the run ended before its first checkpoint\n%s%s", sig, stdout, stderr)
		}
		cmd.Process.Signal(sig)
		err := <-done
		if err == nil {
			t.Logf("%v: the run finished before the signal arrived", sig)
		}
		if sig == syscall.SIGINT {
			if !strings.Contains(stderr.String(), "interrupted; checkpoint "+filepath.Join(out, "checkpoint.pth")+" written; continue with: fastgo pascal") {
				t.Errorf("SIGINT: stderr\n%s", stderr)
			}
			noCrash(t, args, result{stdout: stdout.String(), stderr: stderr.String()})
		}
		rep := readReport(t, out)
		if rep.Finished != "" {
			t.Fatalf("%v: the run was not interrupted", sig)
		}
		res := fastgo(t, nil, append(args, "-resume")...)
		if res.code != 0 {
			t.Fatalf("%v: resume: exit %d\n%s%s", sig, res.code, res.stdout, res.stderr)
		}
		if !strings.Contains(res.stdout, "resuming from "+filepath.Join(out, "checkpoint.pth")) {
			t.Errorf("%v: resume output\n%s", sig, res.stdout)
		}
		got := readReport(t, out)
		if got.Resumed != 1 || got.Finished == "" {
			t.Errorf("%v: resumed %d, finished %q", sig, got.Resumed, got.Finished)
		}
		if n := numbers(t, got); n != want {
			t.Errorf("%v: the resumed run's numbers differ from the uninterrupted run's\n got %s\nwant %s", sig, n, want)
		}
	}
}
