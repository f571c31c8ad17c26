package main

import (
	"encoding/json"
	"flag"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/vision"
	"github.com/fastgo/fastgo/vision/cnn"
	"github.com/fastgo/fastgo/vision/synth"
)

func TestParseFlagsAnywhere(t *testing.T) {
	for _, c := range []struct {
		args []string
		pos  []string
		json bool
		bs   int
	}{
		{[]string{"-json", "a.jpg", "b.jpg"}, []string{"a.jpg", "b.jpg"}, true, 1},
		{[]string{"a.jpg", "-json", "b.jpg", "-bs", "4"}, []string{"a.jpg", "b.jpg"}, true, 4},
		{[]string{"a.jpg", "b.jpg", "-bs=3"}, []string{"a.jpg", "b.jpg"}, false, 3},
		{[]string{"a.jpg", "--", "-json", "-bs"}, []string{"a.jpg", "-json", "-bs"}, false, 1},
		{[]string{"-", "-json"}, []string{"-"}, true, 1},
		{nil, []string{}, false, 1},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		js := fs.Bool("json", false, "")
		bs := fs.Int("bs", 1, "")
		if err := parseFlags(fs, c.args); err != nil {
			t.Fatalf("%q: %v", c.args, err)
		}
		if got := fs.Args(); !slices.Equal(got, c.pos) && !(len(got) == 0 && len(c.pos) == 0) || *js != c.json || *bs != c.bs {
			t.Errorf("%q: args %q json %v bs %d, want %q %v %d", c.args, fs.Args(), *js, *bs, c.pos, c.json, c.bs)
		}
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(&strings.Builder{})
	fs.Bool("json", false, "")
	if err := parseFlags(fs, []string{"a.jpg", "-nope"}); err == nil || !strings.Contains(err.Error(), "-nope") {
		t.Errorf("an unknown flag after an argument: %v", err)
	}
}

// fastgo predict -model m.pth a.jpg -json: the flag after the image is a flag.
func TestPredictFlagsAfterImages(t *testing.T) {
	dir := t.TempDir()
	if _, err := synth.Generate(dir, synth.Options{Seed: 1, Train: 4, Valid: 2, Size: 32}); err != nil {
		t.Fatal(err)
	}
	m, err := cnn.NewModel(nn.ResNet18, len(synth.Classes), cnn.ModelOptions{Widths: [4]int{4, 8, 8, 16}})
	if err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(dir, "m.pth")
	info := cnn.ModelInfo{Arch: "resnet18", Widths: [4]int{4, 8, 8, 16}, Classes: synth.Classes, Size: 32, Resize: 36,
		Mean: vision.ImageNetMean, Std: vision.ImageNetStd}
	if err := cnn.SaveModel(model, m, info); err != nil {
		t.Fatal(err)
	}
	a, b := filepath.Join(dir, "train", "000000.jpg"), filepath.Join(dir, "train", "000001.jpg")
	r := fastgo(t, nil, "predict", "-model", model, a, "-json", b, "-thresh", "0.4")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one JSON line per image, got\n%s", r.stdout)
	}
	for i, l := range lines {
		var p prediction
		if err := json.Unmarshal([]byte(l), &p); err != nil || p.Image != []string{a, b}[i] || len(p.Probabilities) != len(synth.Classes) {
			t.Errorf("line %d %q: %v", i, l, err)
		}
	}
}

// Every command's -h shows an example, and every example's flags exist (each example
// runs with -h appended, which parses all its flags and stops).
func TestEveryCommandHasAnExample(t *testing.T) {
	var cmds [][]string
	for name := range commands {
		if name != "bench" {
			cmds = append(cmds, []string{name})
		}
	}
	for name := range benchKinds {
		cmds = append(cmds, []string{"bench", name})
	}
	cmds = append(cmds, []string{"bench"})
	for _, c := range cmds {
		r := fastgo(t, nil, append(c, "-h")...)
		help := r.stdout + r.stderr
		i := strings.Index(help, "Example")
		if r.code != 0 || i < 0 {
			t.Errorf("fastgo %s -h: exit %d, no example:\n%s", strings.Join(c, " "), r.code, help)
			continue
		}
		n := 0
		for _, line := range strings.Split(help[i:], "\n") {
			f := strings.Fields(strings.ReplaceAll(line, "'", ""))
			for len(f) > 0 && strings.Contains(f[0], "=") { // an environment assignment
				f = f[1:]
			}
			if len(f) == 0 || f[0] != "fastgo" {
				continue
			}
			n++
			if !slices.Equal(f[1:1+len(c)], c) {
				t.Errorf("fastgo %s -h: example %q runs another command", strings.Join(c, " "), line)
				continue
			}
			if r := fastgo(t, nil, append(f[1:], "-h")...); r.code != 0 {
				t.Errorf("example %q: exit %d\n%s", line, r.code, r.stderr)
			}
		}
		if n == 0 {
			t.Errorf("fastgo %s -h: no example command line:\n%s", strings.Join(c, " "), help)
		}
	}
}

// The commands that read a data set share one set of data flags, with one meaning each.
func TestOneSetOfDataFlags(t *testing.T) {
	flagHelp := func(cmd []string, name string) string {
		r := fastgo(t, nil, append(cmd, "-h")...)
		_, flagsPart, _ := strings.Cut(r.stderr, "\nflags:\n") // the flag list, not the summary
		lines := strings.Split(flagsPart, "\n")
		for i, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), "-"+name+" ") || strings.TrimSpace(l) == "-"+name {
				if i+1 < len(lines) {
					return strings.TrimSpace(lines[i+1])
				}
			}
		}
		return ""
	}
	cmds := [][]string{{"pascal"}, {"train"}, {"lr-find"}, {"pretrain"}, {"show-batch"}, {"bench", "loader"}}
	for _, name := range []string{"data", "csv", "json", "valid-json", "folder", "fn-col", "label-col", "label-delim", "valid-col", "skip-bad", "resize", "workers", "seed", "download"} {
		want := ""
		for _, c := range cmds {
			got := flagHelp(c, name)
			if got == "" {
				t.Errorf("fastgo %s has no -%s", strings.Join(c, " "), name)
				continue
			}
			got = strings.TrimSuffix(strings.TrimSuffix(got, "; required"), "; empty: the built-in sample")
			if want == "" {
				want = got
			} else if got != want {
				t.Errorf("-%s means %q in fastgo %s, %q elsewhere", name, got, strings.Join(c, " "), want)
			}
		}
	}
}

// show-batch reads the same folder layout as train: -data and a -csv inside it.
func TestShowBatchDataFlags(t *testing.T) {
	dir := t.TempDir()
	if _, err := synth.Generate(dir, synth.Options{Seed: 2, Train: 8, Valid: 4, Size: 32}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "b.png")
	r := fastgo(t, nil, "show-batch", "-data", dir, "-csv", "train.csv", "-size", "32", "-bs", "4", "-out", out, "-n", "4")
	if r.code != 0 || !strings.Contains(r.stdout, "wrote "+out) {
		t.Errorf("show-batch: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = fastgo(t, nil, "show-batch", "-data", dir, "-csv", "nope.csv", "-out", out)
	if r.code == 0 || !strings.Contains(r.stderr, filepath.Join(dir, "nope.csv")) {
		t.Errorf("show-batch with a missing -csv: exit %d\n%s", r.code, r.stderr)
	}
}
