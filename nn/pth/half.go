package pth

import "math"

// halfToFloat32 widens an IEEE 754 binary16 value exactly (NaN payloads kept in the
// top mantissa bits, subnormals normalised).
func halfToFloat32(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	man := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // inf or NaN
		return math.Float32frombits(sign | 0x7f800000 | man<<13)
	case exp != 0: // normal
		return math.Float32frombits(sign | (exp+112)<<23 | man<<13)
	case man == 0: // ±0
		return math.Float32frombits(sign)
	}
	// Subnormal: value = man · 2^-24; shift until the implicit bit appears.
	e := uint32(113)
	for man&0x400 == 0 {
		man <<= 1
		e--
	}
	return math.Float32frombits(sign | e<<23 | (man&0x3ff)<<13)
}

// float32ToHalf rounds f to the nearest binary16 value, ties to even, as torch's
// tensor.half() does: overflow gives ±inf, tiny values become subnormals or ±0, and a
// NaN stays a (quiet) NaN.
func float32ToHalf(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int32(b>>23) & 0xff
	man := b & 0x7fffff
	if exp == 0xff {
		if man != 0 {
			return sign | 0x7e00 | uint16(man>>13) // quiet NaN, keep the top payload bits
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15 // biased binary16 exponent
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e <= 0 {
		// Subnormal or zero: shift the full significand (with its implicit bit) right.
		if e < -10 {
			return sign // below half the smallest subnormal: rounds to ±0
		}
		m := man | 0x800000
		shift := uint32(14 - e) // 24-bit significand down to the subnormal's 10 bits
		half := uint32(1) << (shift - 1)
		r := m >> shift
		rem := m & (half<<1 - 1)
		if rem > half || (rem == half && r&1 == 1) {
			r++ // may carry into the smallest normal, which is the right encoding
		}
		return sign | uint16(r)
	}
	r := uint32(e)<<10 | man>>13
	rem := man & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && r&1 == 1) {
		r++ // a carry into the exponent rounds up to the next binade or to inf: both correct
	}
	return sign | uint16(r)
}

// bfloat16ToFloat32 widens a bfloat16 value exactly.
func bfloat16ToFloat32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// float32ToBFloat16 rounds f to the nearest bfloat16, ties to even, as torch does; NaN
// stays a quiet NaN.
func float32ToBFloat16(f float32) uint16 {
	b := math.Float32bits(f)
	if b&0x7fffffff > 0x7f800000 {
		return uint16(b>>16) | 0x40
	}
	b += 0x7fff + (b>>16)&1
	return uint16(b >> 16)
}
