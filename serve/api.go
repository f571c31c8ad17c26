// Package serve puts a trained fastgo model behind an HTTP endpoint that holds up under
// load, faults and hostile input, with a Go client for it.
//
// Endpoints (see Server):
//
//	POST /v1/predict   one image as the raw body (JPEG or PNG), or several as
//	                   multipart/form-data (one part per image); answers a Response
//	GET  /healthz      200 while the process runs
//	GET  /readyz       200 while a model is loaded and the server is not draining, else 503
//	GET  /metrics      Prometheus text format: requests by status, latency, batch sizes,
//	                   queue depth, images/s, process memory
//
// Concurrent requests are gathered into one forward pass (dynamic batching, up to
// Config.MaxBatch images, waiting at most Config.MaxWait for more while requests are
// still being read), so that throughput under load approaches the network's batched
// speed while a lone request does not wait at all.
//
// Failures have their own status: 413 (body or image count over the limit), 400 (a
// body that is no image, a corrupt one, malformed multipart; the error names each bad
// image), 503 with Retry-After (the queue is full), 504 (the request's deadline passed
// while queued), 408 (the body arrived too slowly). A panic in a handler is recovered,
// logged and answered 500; the process goes on.
package serve

import (
	"fmt"
	"strings"
	"time"
)

// Response is the JSON body of every /v1/predict answer. A successful one has
// Predictions (one per image, in the request's order); a failed one has Error and, for
// unusable images, Errors naming each.
type Response struct {
	// ID identifies the request in the server's log (also the X-Request-ID header).
	ID string `json:"id"`
	// Model names the model file that answered; Task is how its outputs are read
	// ("multi-label": independent sigmoid probabilities, every class above Threshold is
	// a label); Classes are its classes in output order.
	Model     string   `json:"model,omitempty"`
	Task      string   `json:"task,omitempty"`
	Threshold float64  `json:"threshold,omitempty"`
	Classes   []string `json:"classes,omitempty"`
	// Predictions are the images' results.
	Predictions []Prediction `json:"predictions,omitempty"`
	// Error says why the request failed; Errors lists the unusable images.
	Error  string       `json:"error,omitempty"`
	Errors []ImageError `json:"errors,omitempty"`
}

// Prediction is one image's result.
type Prediction struct {
	// Image is the part's file name (or form name) in a multipart request, "image" for
	// a raw body.
	Image string `json:"image"`
	// Labels are the classes whose probability exceeds the threshold, in class order.
	Labels []string `json:"labels"`
	// Probabilities maps every class to its probability.
	Probabilities map[string]float64 `json:"probabilities"`
}

// ImageError names one unusable image of a request.
type ImageError struct {
	// Index is the image's position in the request (0 for a raw body).
	Index int    `json:"index"`
	Image string `json:"image"`
	Error string `json:"error"`
}

// StatusError is a non-200 answer, as the Client returns it.
type StatusError struct {
	// Code is the HTTP status.
	Code int
	// RetryAfter is the server's Retry-After (503), zero if none.
	RetryAfter time.Duration
	// Response is the decoded body (nil when the body was not the server's JSON).
	Response *Response
	// Body is the start of a body that was not JSON.
	Body string
}

// Error says the status, the server's message, each unusable image and the Retry-After.
func (e *StatusError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "serve: status %d", e.Code)
	switch {
	case e.Response != nil && e.Response.Error != "":
		fmt.Fprintf(&b, ": %s", e.Response.Error)
		for _, ie := range e.Response.Errors {
			fmt.Fprintf(&b, "; image %d (%s): %s", ie.Index, ie.Image, ie.Error)
		}
	case e.Body != "":
		fmt.Fprintf(&b, ": %s", e.Body)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %v)", e.RetryAfter)
	}
	return b.String()
}
