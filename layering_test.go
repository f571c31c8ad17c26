// Package fastgo_test checks the module's package graph: every package sits on one layer
// of the stack below, and imports only packages on lower layers, so the code reads bottom
// up — instruction-set choice, SIMD kernels, tensors, layer computations, autograd, modules, optimisers, data,
// learners, serving, commands.
package fastgo_test

import (
	"errors"
	"go/build"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

const module = "github.com/fastgo/fastgo"

// layers is the stack, lowest first. A package belongs to the layer of the longest
// prefix naming it; a package on none is an error, so a new package is placed on
// purpose. Imports go strictly down, except between packages of the top layer (a
// command and its internal packages).
var layers = [][]string{
	{"asm/cpu"},
	{"asm/internal"},
	{"asm"}, // the kernel families: asm/gemm, asm/vec, asm/bn, asm/pool, asm/winograd, asm/adam
	{"tensor"},
	{"tensor/functional", "tensor/tensortest"},
	{"autograd"},
	{"nn/pth"},
	{"nn"},
	{"optim"},
	{"optim/metrics"},
	{"optim/interp"},
	{"optim/learner"},
	{"vision"},
	{"vision/cnn"},
	{"vision/pretrain"},
	{"serve/predictor"},
	{"serve"},
	{"bench"},
	{"cmd", "examples"},
}

// layerOf returns the layer index of a module-relative package path, or -1.
func layerOf(pkg string) int {
	best, bestLen := -1, -1
	for i, group := range layers {
		for _, prefix := range group {
			if (pkg == prefix || strings.HasPrefix(pkg, prefix+"/")) && len(prefix) > bestLen {
				best, bestLen = i, len(prefix)
			}
		}
	}
	return best
}

func TestPackagesImportOnlyLowerLayers(t *testing.T) {
	checked := 0
	err := filepath.WalkDir(".", func(dir string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if dir != "." && (strings.HasPrefix(name, ".") || name == "testdata" || name == "out") {
			return filepath.SkipDir
		}
		if dir == "." {
			return nil
		}
		pkg, err := build.ImportDir(dir, 0)
		var noGo *build.NoGoError
		if errors.As(err, &noGo) {
			return nil
		}
		if err != nil {
			return err
		}
		rel := filepath.ToSlash(dir)
		from := layerOf(rel)
		if from < 0 {
			t.Errorf("package %s is on no layer: add it to layers in layering_test.go", rel)
			return nil
		}
		checked++
		for _, imp := range pkg.Imports {
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			target := strings.TrimPrefix(imp, module+"/")
			to := layerOf(target)
			switch {
			case to < 0:
				t.Errorf("%s imports %s, which is on no layer", rel, target)
			case to > from:
				t.Errorf("%s (layer %d) imports %s (layer %d), a package above it", rel, from, target, to)
			case to == from && from != len(layers)-1:
				t.Errorf("%s imports %s on its own layer %d: put one below the other", rel, target, from)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Fatalf("checked %d packages; expected the whole module (run from the module root)", checked)
	}
}

func TestLayerOf(t *testing.T) {
	for pkg, want := range map[string]int{
		"asm/cpu":                  0,
		"asm/internal/kerneltest":  1,
		"asm":                      2,
		"asm/gemm":                 2,
		"asm/vec":                  2,
		"asm/adam":                 2,
		"asm/pool":                 2,
		"asm/bn":                   2,
		"asm/winograd":             2,
		"tensor/tensortest":        4,
		"tensor/functional":        4,
		"nn/pth":                   6,
		"nn":                       7,
		"optim/interp":             10,
		"vision/synth":             12,
		"cmd/fastgo/internal/ckpt": len(layers) - 1,
		"nowhere":                  -1,
		"tensorx":                  -1,
	} {
		if got := layerOf(pkg); got != want {
			t.Errorf("layerOf(%q) = %d, want %d", pkg, got, want)
		}
	}
}
