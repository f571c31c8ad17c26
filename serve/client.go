package serve

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// Client calls a fastgo serve endpoint. The zero value is not usable; use NewClient.
type Client struct {
	// URL is the server's base URL, as "http://127.0.0.1:8080".
	URL string
	// HTTP is the client used (http.DefaultClient if nil).
	HTTP *http.Client
}

// NewClient returns a Client of the server at base (scheme, host and port).
func NewClient(base string) *Client {
	return &Client{URL: strings.TrimSuffix(base, "/")}
}

// Predict sends images (JPEG or PNG file bytes) in one request, one as the raw body,
// several as multipart/form-data parts named image-0, image-1, …, and returns the
// server's answer, whose Predictions are in the order of images. A status other than
// 200 is returned as a *StatusError (with the server's per-image errors for 400 and
// its Retry-After for 503).
func (c *Client) Predict(ctx context.Context, images [][]byte) (*Response, error) {
	if len(images) == 0 {
		return nil, fmt.Errorf("serve: Predict needs at least one image")
	}
	names := make([]string, len(images))
	for i := range images {
		names[i] = fmt.Sprintf("image-%d", i)
	}
	return c.PredictNamed(ctx, names, images)
}

// PredictNamed is Predict with the name of each image (its multipart file name, which
// the answer's Prediction.Image and ImageError.Image repeat).
func (c *Client) PredictNamed(ctx context.Context, names []string, images [][]byte) (*Response, error) {
	if len(images) == 0 || len(names) != len(images) {
		return nil, fmt.Errorf("serve: %d names for %d images", len(names), len(images))
	}
	var body io.Reader
	ctype := ""
	if len(images) == 1 {
		body = bytes.NewReader(images[0])
		ctype = http.DetectContentType(images[0])
	} else {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for i, img := range images {
			h := textproto.MIMEHeader{}
			h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="image"; filename=%q`, names[i]))
			h.Set("Content-Type", http.DetectContentType(img))
			pw, err := mw.CreatePart(h)
			if err != nil {
				return nil, err
			}
			pw.Write(img)
		}
		if err := mw.Close(); err != nil {
			return nil, err
		}
		body, ctype = &buf, mw.FormDataContentType()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL+"/v1/predict", body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", ctype)
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("serve: reading the answer: %w", err)
	}
	var r Response
	jsonErr := json.Unmarshal(raw, &r)
	if res.StatusCode != http.StatusOK {
		se := &StatusError{Code: res.StatusCode}
		if jsonErr == nil {
			se.Response = &r
		} else {
			se.Body = strings.TrimSpace(string(raw[:min(len(raw), 200)]))
		}
		if s, err := strconv.Atoi(res.Header.Get("Retry-After")); err == nil && s > 0 {
			se.RetryAfter = time.Duration(s) * time.Second
		}
		return nil, se
	}
	if jsonErr != nil {
		return nil, fmt.Errorf("serve: the answer is not the server's JSON: %v", jsonErr)
	}
	if len(r.Predictions) != len(images) {
		return nil, fmt.Errorf("serve: %d predictions for %d images", len(r.Predictions), len(images))
	}
	return &r, nil
}
