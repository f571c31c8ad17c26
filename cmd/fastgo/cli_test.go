package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIErrors checks that bad flags and paths give one clear line on stderr and a
// non-zero status (2 for a wrong call, 1 for bad input), never a stack trace.
func TestCLIErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "notes.txt")
	os.WriteFile(file, []byte("hello"), 0o644)
	badData := filepath.Join(dir, "bad")
	os.MkdirAll(filepath.Join(badData, "train"), 0o755)
	os.WriteFile(filepath.Join(badData, "train.csv"), []byte("fname,labels,is_valid\na.jpg,cat,True\nb.jpg,dog,maybe\n"), 0o644)
	noCSV := filepath.Join(dir, "nocsv")
	os.MkdirAll(noCSV, 0o755)
	missing := filepath.Join(dir, "missing")

	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"nosuch"}, 2, `unknown command "nosuch"`},
		{[]string{"pascal", "-bogus"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"pascal", "extra"}, 2, `unexpected arguments ["extra"]`},
		{[]string{"pascal", "-size", "-1"}, 2, "-size -1: must not be negative"},
		{[]string{"pascal", "-bs", "x"}, 2, `invalid value "x" for flag -bs`},
		{[]string{"pascal", "-widths", "1,2,3"}, 2, "-widths \"1,2,3\": want four"},
		{[]string{"pascal", "-lr-find-iters", "0"}, 2, "-lr-find-iters 0"},
		{[]string{"pascal", "-data", missing}, 2, "-data " + missing + ": no such file or directory"},
		{[]string{"pascal", "-data", file}, 2, "-data " + file + ": not a folder"},
		{[]string{"pascal", "-data", dir, "-download"}, 2, "-data and -download exclude each other"},
		{[]string{"pascal", "-pretrained", filepath.Join(dir, "r34.pth")}, 2, "r34.pth: no such file or directory"},
		{[]string{"pascal", "-resume", "-out", dir}, 2, "-resume: no checkpoint " + filepath.Join(dir, "checkpoint.pth")},
		{[]string{"pascal", "-data", noCSV, "-out", filepath.Join(dir, "o1")}, 1, filepath.Join(noCSV, "train.csv")},
		{[]string{"pascal", "-data", badData, "-out", filepath.Join(dir, "o2")}, 1, "train.csv line 3"},
		{[]string{"pascal", "-pretrained", file, "-out", filepath.Join(dir, "o3"), "-sample-train", "40", "-sample-valid", "8"}, 1, "notes.txt"},
		{[]string{"train"}, 2, "-epochs N is required"},
		{[]string{"train", "-epochs", "1"}, 2, "-lr MAX is required"},
		{[]string{"train", "-epochs", "1", "-lr", "1e-3"}, 2, "-data DIR is required"},
		{[]string{"train", "-data", dir, "-epochs", "1", "-lr", "1e-3", "-lr-lo", "1e-2"}, 2, "-lr-lo 0.01: want 0 < lr-lo ≤ lr"},
		{[]string{"train", "-data", dir, "-epochs", "1", "-lr", "1e-3", "-unfreeze", "-freeze-to", "1"}, 2, "exclude each other"},
		{[]string{"train", "-data", dir, "-epochs", "1", "-lr", "1e-3", "-freeze-to", "5"}, 2, "-freeze-to 5"},
		{[]string{"lr-find"}, 2, "-data DIR is required"},
		{[]string{"predict", "a.jpg"}, 2, "-model M.pth is required"},
		{[]string{"predict", "-model", file}, 2, "no images given"},
		{[]string{"predict", "-model", missing, "a.jpg"}, 2, "-model " + missing + ": no such file or directory"},
		{[]string{"predict", "-model", file, "-thresh", "1.5", "a.jpg"}, 2, "-thresh 1.5"},
		{[]string{"predict", "-model", file, missing}, 2, "image " + missing + ": no such file or directory"},
		{[]string{"predict", "-model", file, file}, 1, "notes.txt: not a PyTorch file"},
		{[]string{"predict", "-conv", "fft", "-model", file, "a.jpg"}, 2, `-conv: unknown convolution algorithm "fft"`},
		{[]string{"train", "-conv", "fast"}, 2, `-conv: unknown convolution algorithm "fast"`},
	}
	for _, c := range cases {
		r := fastgo(t, []string{"FASTGO_HOME=" + dir}, c.args...)
		if r.code != c.code {
			t.Errorf("fastgo %v: exit %d, want %d\n%s%s", c.args, r.code, c.code, r.stdout, r.stderr)
		}
		lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
		last := lines[len(lines)-1]
		if !strings.Contains(last, c.want) {
			t.Errorf("fastgo %v: stderr\n%s\nlacks %q", c.args, r.stderr, c.want)
		}
		if !strings.HasPrefix(last, "fastgo") && !strings.HasPrefix(last, "usage") {
			t.Errorf("fastgo %v: the error line %q does not name fastgo", c.args, last)
		}
		noCrash(t, c.args, r)
	}
}

func TestHelp(t *testing.T) {
	r := fastgo(t, nil, "help")
	for _, cmd := range []string{"pascal", "train", "lr-find", "predict"} {
		if !strings.Contains(r.stdout, "  "+cmd) {
			t.Errorf("help lacks %s:\n%s", cmd, r.stdout)
		}
	}
	for _, cmd := range []string{"pascal", "train", "lr-find", "predict"} {
		r := fastgo(t, nil, cmd, "-h")
		if r.code != 0 || !strings.Contains(r.stderr, "usage: fastgo "+cmd) {
			t.Errorf("fastgo %s -h: exit %d\n%s", cmd, r.code, r.stderr)
		}
	}
}

// A bad FASTGO_CONV stops every command with one line naming it, as a bad FASTGO_SIMD does.
func TestConvEnvError(t *testing.T) {
	r := fastgo(t, []string{"FASTGO_CONV=fft"}, "cpuinfo")
	if r.code != 2 || !strings.Contains(r.stderr, `FASTGO_CONV: unknown convolution algorithm "fft"`) {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}
