package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestBenchServe: the load generator runs a tiny model at two concurrencies and
// reports every level with its forward-only reference; -url must be loopback.
func TestBenchServe(t *testing.T) {
	r := fastgo(t, nil, "bench", "serve", "-widths", "4,8,8,16", "-size", "32", "-classes", "3", "-n-images", "3", "-image-size", "40",
		"-concurrency", "1,4", "-duration", "300ms", "-warmup", "0s", "-steps", "1", "-max-batch", "4", "-json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var out benchServeResult
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if len(out.Levels) != 2 || out.Levels[1].Concurrency != 4 || out.ForwardBatch <= 0 || out.ForwardSingle <= 0 || out.Prepare <= 0 {
		t.Fatalf("result %+v", out)
	}
	for _, l := range out.Levels {
		if l.Requests == 0 || l.ErrorCount() != 0 || l.P50 <= 0 || l.P99 < l.P50 || l.MeanBatch < 1 {
			t.Errorf("level %+v", l)
		}
	}
	for _, u := range []string{"http://10.0.0.1:8080", "http://example.com", "ftp://127.0.0.1"} {
		r := fastgo(t, nil, "bench", "serve", "-url", u, "-duration", "100ms")
		if r.code != 2 || !strings.Contains(r.stderr, "-url") {
			t.Errorf("-url %s: exit %d %s", u, r.code, r.stderr)
		}
	}
}
