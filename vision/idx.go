package vision

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

// IDX is one array of the IDX format that MNIST and Fashion-MNIST ship in: unsigned
// bytes with the shape of the file's header ([N] for labels, [N, H, W] for images).
type IDX struct {
	Dims []int
	Data []uint8
}

// maxIDXBytes bounds the array a header may announce (beyond any real data set), so
// that a corrupt header is an error rather than a huge allocation.
const maxIDXBytes = 1 << 34 // 16 GiB

// ReadIDX reads an IDX file of unsigned bytes (type code 0x08), gzipped (as the data
// sets are distributed, .gz) or not; which it is comes from the content, not the name.
// A wrong magic number, another element type, a truncated file or trailing bytes are
// errors naming the file.
func ReadIDX(path string) (*IDX, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	var r io.Reader = br
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		defer zr.Close()
		r = zr
	}
	x, err := decodeIDX(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return x, nil
}

// decodeIDX reads the header and data of an unsigned-byte IDX stream.
func decodeIDX(r io.Reader) (*IDX, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, fmt.Errorf("IDX header: %w", noEOF(err))
	}
	if head[0] != 0 || head[1] != 0 {
		return nil, fmt.Errorf("not an IDX file (magic % x, want 00 00 08 nd)", head)
	}
	if head[2] != 0x08 {
		return nil, fmt.Errorf("IDX element type 0x%02x, only unsigned bytes (0x08) are read", head[2])
	}
	nd := int(head[3])
	if nd < 1 || nd > 4 {
		return nil, fmt.Errorf("IDX with %d dimensions, want 1 to 4", nd)
	}
	dims := make([]int, nd)
	total := int64(1)
	for i := range dims {
		var d uint32
		if err := binary.Read(r, binary.BigEndian, &d); err != nil {
			return nil, fmt.Errorf("IDX dimension %d: %w", i, noEOF(err))
		}
		dims[i] = int(d)
		if d > 0 && total > maxIDXBytes/int64(d) {
			return nil, fmt.Errorf("IDX shape %v is too large", dims[:i+1])
		}
		total *= int64(d)
	}
	// Read what is there rather than allocating what the header claims: a truncated
	// file with a large header costs only its own size.
	data, err := io.ReadAll(io.LimitReader(r, total))
	if err != nil {
		return nil, fmt.Errorf("IDX data: %w", err)
	}
	if int64(len(data)) < total {
		return nil, fmt.Errorf("IDX data truncated: %d of %d bytes (shape %v)", len(data), total, dims)
	}
	if n, _ := io.Copy(io.Discard, io.LimitReader(r, 1<<20)); n > 0 {
		return nil, fmt.Errorf("IDX has trailing bytes after the %d of shape %v", total, dims)
	}
	return &IDX{Dims: dims, Data: data}, nil
}

func noEOF(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// WriteIDX writes an unsigned-byte IDX file (gzipped when the name ends in .gz).
func WriteIDX(path string, dims []int, data []uint8) error {
	var buf bytes.Buffer
	buf.Write([]byte{0, 0, 0x08, byte(len(dims))})
	n := 1
	for _, d := range dims {
		binary.Write(&buf, binary.BigEndian, uint32(d))
		n *= d
	}
	if n != len(data) {
		return fmt.Errorf("WriteIDX %s: shape %v holds %d bytes, got %d", path, dims, n, len(data))
	}
	buf.Write(data)
	out := buf.Bytes()
	if filepath.Ext(path) == ".gz" {
		var z bytes.Buffer
		zw := gzip.NewWriter(&z)
		zw.Write(out)
		zw.Close()
		out = z.Bytes()
	}
	return os.WriteFile(path, out, 0o644)
}

// FashionMNISTClasses are Fashion-MNIST's class names in label order (0 … 9).
var FashionMNISTClasses = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
	"Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

// IDXItems reads an image IDX file ([N, H, W] grey) and its label IDX file ([N]) and
// returns one in-memory item per image, converted to RGB as fastai's PILImage.create
// does for grey images (R = G = B). vocab names the label values 0 … len(vocab)-1; nil
// means the decimal digits "0" … "9" of MNIST. A label outside the vocabulary, or
// files that disagree on N, are errors naming the file and the image.
func IDXItems(imagesPath, labelsPath string, vocab []string) ([]Item, []string, error) {
	im, err := ReadIDX(imagesPath)
	if err != nil {
		return nil, nil, err
	}
	lb, err := ReadIDX(labelsPath)
	if err != nil {
		return nil, nil, err
	}
	if len(im.Dims) != 3 {
		return nil, nil, fmt.Errorf("%s: shape %v, want images [N, H, W]", imagesPath, im.Dims)
	}
	if len(lb.Dims) != 1 {
		return nil, nil, fmt.Errorf("%s: shape %v, want labels [N]", labelsPath, lb.Dims)
	}
	if im.Dims[0] != lb.Dims[0] {
		return nil, nil, fmt.Errorf("%s has %d images but %s has %d labels", imagesPath, im.Dims[0], labelsPath, lb.Dims[0])
	}
	if vocab == nil {
		for i := range 10 {
			vocab = append(vocab, strconv.Itoa(i))
		}
	}
	n, h, w := im.Dims[0], im.Dims[1], im.Dims[2]
	rgb := make([]uint8, 3*n*h*w) // one allocation for all images
	items := make([]Item, n)
	base := filepath.Base(imagesPath)
	for i := range items {
		l := int(lb.Data[i])
		if l >= len(vocab) {
			return nil, nil, fmt.Errorf("%s: label %d of image %d is outside the %d classes", labelsPath, l, i, len(vocab))
		}
		img := &RGB{W: w, H: h, Pix: rgb[3*i*h*w:][: 3*h*w : 3*h*w]}
		GreyToRGB(img.Pix, im.Data[i*h*w:][:h*w])
		items[i] = Item{Image: img, Labels: []int{l}, Source: fmt.Sprintf("%s image %d", base, i)}
	}
	return items, vocab, nil
}

// GreyToRGB writes each grey value v of src as the pixel (v, v, v) of dst (len 3·len(src)),
// PIL's convert("RGB") of an "L" image.
func GreyToRGB(dst, src []uint8) {
	for x, v := range src {
		dst[3*x], dst[3*x+1], dst[3*x+2] = v, v, v
	}
}
