package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/asm/gemm"
	"github.com/fastgo/fastgo/vision/synth"
)

// TestPrecisionFlag checks -precision: an unknown value is a usage error; bf16 on a
// SIMD path without bf16 kernels (FASTGO_SIMD=generic) is an error naming the CPU
// feature, on every command that takes the flag; and where the CPU has it, train,
// predict and bench run in bf16 and the model is saved as usual.
func TestPrecisionFlag(t *testing.T) {
	r := fastgo(t, nil, "pascal", "-precision", "fp16")
	if r.code != 2 || !strings.Contains(r.stderr, "-precision: unknown precision \"fp16\"") {
		t.Errorf("-precision fp16: exit %d\n%s", r.code, r.stderr)
	}
	data := t.TempDir()
	if _, err := synth.Generate(data, synth.Options{Seed: 4, Train: 16, Valid: 8, Size: 32}); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(filepath.Join(data, "train"))
	if err != nil || len(entries) == 0 {
		t.Fatalf("generated data: %v", err)
	}
	img := filepath.Join(data, "train", entries[0].Name())
	for _, args := range [][]string{
		append([]string{"train", "-data", data, "-epochs", "1", "-lr", "1e-3", "-out", t.TempDir(), "-precision", "bf16"}, tiny...),
		{"bench", "infer", "-size", "32", "-bs", "2", "-steps", "1", "-precision", "bf16"},
		{"predict", "-model", "x.pth", "-precision", "bf16", img},
	} {
		r := fastgo(t, []string{"FASTGO_SIMD=generic"}, args...)
		noCrash(t, args, r)
		if r.code == 0 || !strings.Contains(r.stderr, gemm.BF16Feature()) {
			t.Errorf("FASTGO_SIMD=generic fastgo %v: exit %d, want an error naming %s\n%s%s", args, r.code, gemm.BF16Feature(), r.stdout, r.stderr)
		}
	}
	if err := gemm.BF16Err(); err != nil {
		t.Skipf("no bf16 run here: %v", err)
	}
	out := t.TempDir()
	args := append([]string{"train", "-data", data, "-epochs", "1", "-lr", "1e-3", "-unfreeze", "-out", out, "-precision", "bf16"}, tiny...)
	if r := fastgo(t, nil, args...); r.code != 0 {
		t.Fatalf("fastgo %v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
	}
	if notes := strings.Join(readReport(t, out).Notes, "\n"); !strings.Contains(notes, "Precision bf16") {
		t.Errorf("report notes do not mention bf16: %q", notes)
	}
	args = []string{"predict", "-model", filepath.Join(out, "model.pth"), "-precision", "bf16", img}
	if r := fastgo(t, nil, args...); r.code != 0 {
		t.Fatalf("fastgo %v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
	}
	args = []string{"bench", "train-step", "-size", "32", "-bs", "2", "-steps", "1", "-warmup", "0", "-profile=false", "-precision", "bf16"}
	if r := fastgo(t, nil, args...); r.code != 0 || !strings.Contains(r.stdout, "bf16") {
		t.Fatalf("fastgo %v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
	}
}
