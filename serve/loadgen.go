package serve

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sync"
	"time"
)

// LoadOptions configure a closed-loop load test: Concurrency clients, each sending its
// next request as soon as the previous one is answered.
type LoadOptions struct {
	Concurrency int
	// Duration bounds the measured part; Requests, when positive, ends it earlier after
	// that many requests. Warmup runs the same load first, unmeasured.
	Duration time.Duration
	Requests int
	Warmup   time.Duration
	// PerRequest is the number of images in each request (1: a raw body).
	PerRequest int
}

// LoadResult is one load test's outcome.
type LoadResult struct {
	Concurrency int `json:"concurrency"`
	// Requests answered 200, and their images.
	Requests int `json:"requests"`
	Images   int `json:"images"`
	// Errors counts the other outcomes by status ("503") or "transport".
	Errors  map[string]int `json:"errors,omitempty"`
	Elapsed time.Duration  `json:"elapsed_ns"`
	// ImagesPerSec is Images over Elapsed; the latencies are those of the 200s.
	ImagesPerSec float64       `json:"images_per_s"`
	P50          time.Duration `json:"p50_ns"`
	P95          time.Duration `json:"p95_ns"`
	P99          time.Duration `json:"p99_ns"`
	Max          time.Duration `json:"max_ns"`
}

// ErrorCount is the number of requests that did not get a 200.
func (r LoadResult) ErrorCount() int {
	n := 0
	for _, v := range r.Errors {
		n += v
	}
	return n
}

// LoadTest runs a closed-loop load of c's server with images (cycled through) and
// reports throughput, latency percentiles and errors.
func LoadTest(ctx context.Context, c *Client, images [][]byte, o LoadOptions) (LoadResult, error) {
	if o.Concurrency < 1 || o.Duration <= 0 || len(images) == 0 || o.Requests < 0 || o.Warmup < 0 {
		return LoadResult{}, fmt.Errorf("serve: load test needs a concurrency ≥ 1, a duration and images")
	}
	if o.PerRequest < 1 {
		o.PerRequest = 1
	}
	if o.Warmup > 0 {
		wctx, cancel := context.WithTimeout(ctx, o.Warmup)
		loadRun(wctx, c, images, o, 0)
		cancel()
		if ctx.Err() != nil {
			return LoadResult{}, ctx.Err()
		}
	}
	mctx, cancel := context.WithTimeout(ctx, o.Duration)
	defer cancel()
	return loadRun(mctx, c, images, o, o.Requests), nil
}

func loadRun(ctx context.Context, c *Client, images [][]byte, o LoadOptions, limit int) LoadResult {
	res := LoadResult{Concurrency: o.Concurrency, Errors: map[string]int{}}
	var mu sync.Mutex
	var lat []time.Duration
	sent := 0
	var wg sync.WaitGroup
	t0 := time.Now()
	for w := range o.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			next := w * o.PerRequest
			for {
				mu.Lock()
				if ctx.Err() != nil || limit > 0 && sent >= limit {
					mu.Unlock()
					return
				}
				sent++
				mu.Unlock()
				batch := make([][]byte, o.PerRequest)
				for i := range batch {
					batch[i] = images[next%len(images)]
					next++
				}
				t := time.Now()
				_, err := c.Predict(ctx, batch)
				d := time.Since(t)
				var se *StatusError
				mu.Lock()
				switch {
				case err == nil:
					lat = append(lat, d)
					res.Images += len(batch)
				case errors.As(err, &se):
					res.Errors[fmt.Sprint(se.Code)]++
				case ctx.Err() != nil: // cut off by the end of the test: not counted
				default:
					res.Errors["transport"]++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	res.Elapsed = time.Since(t0)
	res.Requests = len(lat)
	if res.Elapsed > 0 {
		res.ImagesPerSec = float64(res.Images) / res.Elapsed.Seconds()
	}
	if len(lat) > 0 {
		slices.Sort(lat)
		// nearest rank: the smallest latency with at least q of them at or below it
		pick := func(q float64) time.Duration { return lat[max(0, int(math.Ceil(q*float64(len(lat))))-1)] }
		res.P50, res.P95, res.P99, res.Max = pick(0.50), pick(0.95), pick(0.99), lat[len(lat)-1]
	}
	return res
}

// LoadClient returns a Client for load tests against base: keep-alive connections for
// up to conns concurrent requests.
func LoadClient(base string, conns int) *Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost, tr.MaxConnsPerHost = conns, conns, 0
	return &Client{URL: base, HTTP: &http.Client{Transport: tr}}
}
