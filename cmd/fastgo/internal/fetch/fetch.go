// Package fetch downloads a data set archive (fastai's pascal_2007.tgz) into a cache
// folder and unpacks it safely, as fastai's untar_data does:
//
//	<cache>/pascal_2007.tgz   the archive (downloaded to a temporary name, then renamed)
//	<cache>/pascal_2007/      its contents (unpacked into a temporary folder, then renamed)
//
// A data set that is already unpacked is used as it is, with no network access. The
// cache folder is $FASTGO_HOME/data, or ~/.fastgo/data without FASTGO_HOME.
//
// Unpacking accepts only regular files and folders whose names stay inside the target
// (no absolute paths, no "..", no links or devices), and bounds the total size, so a
// hostile archive cannot write elsewhere or fill the disk.
package fetch

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// PascalURL is where fastai's PASCAL VOC 2007 archive lives (URLs.PASCAL_2007).
const PascalURL = "https://s3.amazonaws.com/fast-ai-imagelocal/pascal_2007.tgz"

// MaxUnpacked bounds the bytes an archive may unpack to, far above what fastai's
// data sets need.
const MaxUnpacked = 16 << 30

// CacheDir returns the data cache folder: $FASTGO_HOME/data, or ~/.fastgo/data.
func CacheDir() (string, error) {
	if h := os.Getenv("FASTGO_HOME"); h != "" {
		return filepath.Join(h, "data"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("no cache folder: set FASTGO_HOME (%v)", err)
	}
	return filepath.Join(home, ".fastgo", "data"), nil
}

// Dataset makes sure the archive at url is unpacked in cache and returns the data set's
// folder: <cache>/<name>, where name is the archive's file name without .tgz / .tar.gz.
// An existing folder is returned at once. progress (may be nil) receives a line every
// few seconds while downloading.
func Dataset(ctx context.Context, url, cache string, progress io.Writer) (string, error) {
	name := archiveBase(url)
	if name == "" {
		return "", fmt.Errorf("download: cannot name a data set after %q (want …/NAME.tgz or …/NAME.tar.gz)", url)
	}
	dir := filepath.Join(cache, name)
	if st, err := os.Stat(dir); err == nil && st.IsDir() {
		return dir, nil
	}
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return "", fmt.Errorf("download: %w", err)
	}
	archive := filepath.Join(cache, path.Base(url))
	if _, err := os.Stat(archive); err != nil {
		if err := Download(ctx, url, archive, progress); err != nil {
			return "", err
		}
	}
	tmp, err := os.MkdirTemp(cache, "."+name+".unpack-")
	if err != nil {
		return "", fmt.Errorf("download: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := Extract(archive, tmp); err != nil {
		return "", err
	}
	// fastai's archives hold one top folder named like the archive; accept a flat one too.
	src := filepath.Join(tmp, name)
	if st, err := os.Stat(src); err != nil || !st.IsDir() {
		src = tmp
	}
	if err := os.Rename(src, dir); err != nil {
		return "", fmt.Errorf("download: %w", err)
	}
	return dir, nil
}

// archiveBase returns "pascal_2007" for ".../pascal_2007.tgz".
func archiveBase(url string) string {
	base := path.Base(strings.SplitN(url, "?", 2)[0])
	for _, ext := range []string{".tgz", ".tar.gz"} {
		if n, ok := strings.CutSuffix(base, ext); ok && n != "" && n != "." && n != ".." {
			return n
		}
	}
	return ""
}

// Download fetches url into dst: the body goes to dst.part, which is renamed to dst
// once complete. A non-200 status is an error naming the URL.
func Download(ctx context.Context, url, dst string, progress io.Writer) (err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return fmt.Errorf("download %s: %w", url, err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("download %s: %w (no network? put the unpacked data set in %s or pass -data)", url, err, filepath.Dir(dst))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("download %s: HTTP %s", url, resp.Status)
	}
	part := dst + ".part"
	f, err := os.Create(part)
	if err != nil {
		return fmt.Errorf("download: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(part)
		}
	}()
	var w io.Writer = f
	if progress != nil {
		w = &meter{w: f, out: progress, total: resp.ContentLength, name: path.Base(dst), last: time.Now()}
	}
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return fmt.Errorf("download %s: %w", url, err)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return fmt.Errorf("download %s: got %d of %d bytes", url, n, resp.ContentLength)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("download: %w", err)
	}
	if progress != nil {
		fmt.Fprintf(progress, "downloaded %s (%.1f MB)\n", path.Base(dst), float64(n)/1e6)
	}
	return os.Rename(part, dst)
}

// meter reports download progress every few seconds.
type meter struct {
	w     io.Writer
	out   io.Writer
	total int64
	done  int64
	name  string
	last  time.Time
}

func (m *meter) Write(p []byte) (int, error) {
	n, err := m.w.Write(p)
	m.done += int64(n)
	if time.Since(m.last) > 5*time.Second {
		m.last = time.Now()
		if m.total > 0 {
			fmt.Fprintf(m.out, "downloading %s: %.1f of %.1f MB\n", m.name, float64(m.done)/1e6, float64(m.total)/1e6)
		} else {
			fmt.Fprintf(m.out, "downloading %s: %.1f MB\n", m.name, float64(m.done)/1e6)
		}
	}
	return n, err
}

// Extract unpacks the gzip-compressed tar archive at archive into dir (which must
// exist). Only regular files and folders are accepted; a name that is absolute, has a
// ".." element or is a link is an error naming the entry, and so is an archive that
// unpacks to more than MaxUnpacked bytes.
func Extract(archive, dir string) error {
	f, err := os.Open(archive)
	if err != nil {
		return fmt.Errorf("extract: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return fmt.Errorf("extract %s: not a gzip file: %w", archive, err)
	}
	tr := tar.NewReader(zr)
	var total int64
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("extract %s: %w", archive, err)
		}
		rel, err := safeName(h.Name)
		if err != nil {
			return fmt.Errorf("extract %s: entry %q: %w", archive, h.Name, err)
		}
		if rel == "" {
			continue // the archive's root "./"
		}
		target := filepath.Join(dir, filepath.FromSlash(rel))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return fmt.Errorf("extract: %w", err)
			}
		case tar.TypeReg:
			total += h.Size
			if h.Size < 0 || total > MaxUnpacked {
				return fmt.Errorf("extract %s: entry %q: the archive unpacks to more than %d bytes", archive, h.Name, int64(MaxUnpacked))
			}
			if err := writeFile(target, tr, h.Size); err != nil {
				return fmt.Errorf("extract %s: entry %q: %w", archive, h.Name, err)
			}
		case tar.TypeXGlobalHeader:
			// pax metadata, not a file
		default:
			return fmt.Errorf("extract %s: entry %q: unsupported type %q (only files and folders are unpacked)", archive, h.Name, string(h.Typeflag))
		}
	}
}

// safeName cleans an archive entry name and refuses names that leave the target.
func safeName(name string) (string, error) {
	if name == "" || strings.ContainsRune(name, 0) || strings.Contains(name, `\`) {
		return "", errors.New("invalid name")
	}
	if strings.HasPrefix(name, "/") || filepath.IsAbs(name) || filepath.VolumeName(name) != "" {
		return "", errors.New("absolute path")
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", errors.New(`path with ".."`)
		}
	}
	c := path.Clean(name)
	if c == "." {
		return "", nil
	}
	return c, nil
}

// writeFile copies exactly size bytes from r into a new file at target.
func writeFile(target string, r io.Reader, size int64) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.CopyN(f, r, size); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
