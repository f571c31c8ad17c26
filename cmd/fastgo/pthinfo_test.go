package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/fastgo/fastgo/nn/pth"
)

func TestPthInfoListing(t *testing.T) {
	sd, err := pth.Load("../../nn/pth/testdata/written_by_go.pth")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	printStateDict(&buf, sd, true)
	out := buf.String()
	for _, want := range []string{
		"0.0.weight", "float32", "[2 3 2 2]", "0.1.num_batches_tracked  int64",
		"14 tensors, 46 elements",
		"_metadata: 3 modules (version 1: 2, version 2: 1)",
		"meta phase = fit_one_cycle",
		`extra group "opt"`, "min -7.25",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("listing lacks %q:\n%s", want, out)
		}
	}
}

func TestPthInfoErrors(t *testing.T) {
	if err := runPthInfo(nil); err == nil || !strings.Contains(err.Error(), "exactly one file") {
		t.Errorf("no file: %v", err)
	}
	if err := runPthInfo([]string{"../../go.mod"}); err == nil || !strings.Contains(err.Error(), "go.mod: not a PyTorch file") {
		t.Errorf("bad file: %v", err)
	}
}
