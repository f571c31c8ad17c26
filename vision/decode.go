package vision

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
)

// DefaultMaxPixels is the largest image (width × height) a zero Decoder accepts; larger
// ones are refused before their pixels are allocated, like PIL's decompression-bomb
// guard (whose error threshold is about 179M pixels).
const DefaultMaxPixels = 1 << 26

// ErrNotImage reports data that is neither a JPEG nor a PNG file.
var ErrNotImage = errors.New("not a JPEG or PNG image")

// A Decoder turns JPEG and PNG file bytes into 8-bit RGB the way PIL's
// Image.open(...).convert("RGB") does: grayscale is replicated, CMYK is converted with
// PIL's formula, alpha is dropped (not composited), palettes are expanded.
//
// JPEGs are decoded by the standard library's image/jpeg (the fastest pure-Go decoder
// available; see the package doc), then the chroma planes are upsampled and converted
// with libjpeg's "fancy" triangle filter and fixed-point YCbCr→RGB tables, as PIL's
// libjpeg-turbo does. The remaining difference from PIL comes from the IDCT (Go's is
// not libjpeg's ISLOW): a few LSBs on some pixels, about 0.5 on average.
//
// A Decoder is not safe for concurrent use; give each goroutine its own.
type Decoder struct {
	// MaxPixels bounds width × height; 0 means DefaultMaxPixels.
	MaxPixels int
}

// Decode decodes data into dst (resized and overwritten). Errors say what is wrong
// with the data; they never panic, even on hostile input.
func (d *Decoder) Decode(data []byte, dst *RGB) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("image decoder failed: %v", r)
		}
	}()
	var kind string
	switch {
	case len(data) >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF:
		kind = "JPEG"
	case len(data) >= 8 && string(data[:8]) == "\x89PNG\r\n\x1a\n":
		kind = "PNG"
	default:
		return ErrNotImage
	}
	var cfg image.Config
	if kind == "JPEG" {
		cfg, err = jpeg.DecodeConfig(bytes.NewReader(data))
	} else {
		cfg, err = png.DecodeConfig(bytes.NewReader(data))
	}
	if err != nil {
		return fmt.Errorf("%s header: %w", kind, err)
	}
	limit := d.MaxPixels
	if limit <= 0 {
		limit = DefaultMaxPixels
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > int64(limit) {
		return fmt.Errorf("%s of %dx%d pixels is empty or larger than the limit of %d pixels", kind, cfg.Width, cfg.Height, limit)
	}
	var img image.Image
	if kind == "JPEG" {
		img, err = jpeg.Decode(bytes.NewReader(data))
	} else {
		img, err = png.Decode(bytes.NewReader(data))
	}
	if err != nil {
		return fmt.Errorf("%s: %w", kind, err)
	}
	return toRGB(img, dst)
}

// toRGB converts a decoded image to dst with PIL's convert("RGB") rules.
func toRGB(img image.Image, dst *RGB) error {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	dst.Resize(w, h)
	switch m := img.(type) {
	case *image.YCbCr:
		ycbcrToRGB(m, dst)
	case *image.Gray:
		for y := 0; y < h; y++ {
			src := m.Pix[(y)*m.Stride:][:w]
			out := dst.Pix[3*w*y:][:3*w]
			for x, v := range src {
				out[3*x], out[3*x+1], out[3*x+2] = v, v, v
			}
		}
	case *image.CMYK:
		for y := 0; y < h; y++ {
			src := m.Pix[y*m.Stride:][:4*w]
			out := dst.Pix[3*w*y:][:3*w]
			for x := 0; x < w; x++ {
				c, mm, yy, k := src[4*x], src[4*x+1], src[4*x+2], src[4*x+3]
				out[3*x], out[3*x+1], out[3*x+2] = cmykChannel(c, k), cmykChannel(mm, k), cmykChannel(yy, k)
			}
		}
	case *image.RGBA:
		copyRGBX(dst, m.Pix, m.Stride, w, h)
	case *image.NRGBA:
		copyRGBX(dst, m.Pix, m.Stride, w, h)
	case *image.Paletted:
		var pal [256][3]uint8
		for i, c := range m.Palette {
			pal[i] = straightRGB(c)
		}
		for y := 0; y < h; y++ {
			src := m.Pix[y*m.Stride:][:w]
			out := dst.Pix[3*w*y:][:3*w]
			for x, v := range src {
				p := pal[v]
				out[3*x], out[3*x+1], out[3*x+2] = p[0], p[1], p[2]
			}
		}
	default:
		// 16-bit and other rare layouts: straight (un-premultiplied) 8-bit RGB, keeping
		// the high byte of each 16-bit sample.
		for y := 0; y < h; y++ {
			out := dst.Pix[3*w*y:][:3*w]
			for x := 0; x < w; x++ {
				p := straightRGB(img.At(b.Min.X+x, b.Min.Y+y))
				out[3*x], out[3*x+1], out[3*x+2] = p[0], p[1], p[2]
			}
		}
	}
	return nil
}

// copyRGBX copies the RGB bytes of 4-byte RGBA/NRGBA pixels, dropping alpha as PIL does.
func copyRGBX(dst *RGB, pix []uint8, stride, w, h int) {
	for y := 0; y < h; y++ {
		src := pix[y*stride:][:4*w]
		out := dst.Pix[3*w*y:][:3*w]
		for x := 0; x < w; x++ {
			out[3*x], out[3*x+1], out[3*x+2] = src[4*x], src[4*x+1], src[4*x+2]
		}
	}
}

// straightRGB returns a colour's non-premultiplied 8-bit RGB, ignoring alpha.
func straightRGB(c color.Color) [3]uint8 {
	switch v := c.(type) {
	case color.NRGBA:
		return [3]uint8{v.R, v.G, v.B}
	case color.RGBA:
		if v.A == 0xff {
			return [3]uint8{v.R, v.G, v.B}
		}
	case color.NRGBA64:
		return [3]uint8{uint8(v.R >> 8), uint8(v.G >> 8), uint8(v.B >> 8)}
	}
	n := color.NRGBA64Model.Convert(c).(color.NRGBA64)
	return [3]uint8{uint8(n.R >> 8), uint8(n.G >> 8), uint8(n.B >> 8)}
}

// cmykChannel is PIL's cmyk2rgb for one channel: (255-k) - (c*(255-k))/255 with PIL's
// rounded division by 255.
func cmykChannel(c, k uint8) uint8 {
	nk := 255 - int(k)
	t := int(c)*nk + 128
	v := nk - ((t + t>>8) >> 8)
	if v < 0 {
		v = 0
	}
	return uint8(v)
}
