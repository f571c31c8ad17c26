package winograd

import "fmt"

// PhaseRow writes the four phases of one zero-padded image row into a phase plane row
// (the input layout of InputF4): dst[r·phaseStride + t] = src[4t + r − pad] for r < 4
// and t < cnt, 0 where that column lies outside src (the pad columns on the left and
// everything past the row's end). It writes nothing else: entries t ≥ cnt of each
// phase keep their values.
func PhaseRow(dst []float32, phaseStride, cnt int, src []float32, pad int) {
	if cnt <= 0 {
		return
	}
	if phaseStride < cnt || pad < 0 || len(dst) < 3*phaseStride+cnt {
		panic(fmt.Sprintf("winograd.PhaseRow: %d entries, phase stride %d, pad %d, dst %d",
			cnt, phaseStride, pad, len(dst)))
	}
	if k := curWino().phaseRow; k != nil {
		k(dst, phaseStride, cnt, src, pad)
		return
	}
	phaseRowGeneric(dst, phaseStride, cnt, src, pad)
}

// phaseRowGeneric is PhaseRow in plain Go: the entries whose four columns all lie
// inside src without bounds tests, the others one column at a time.
func phaseRowGeneric(dst []float32, phaseStride, cnt int, src []float32, pad int) {
	p0 := dst[:cnt]
	p1 := dst[phaseStride : phaseStride+cnt]
	p2 := dst[2*phaseStride : 2*phaseStride+cnt]
	p3 := dst[3*phaseStride : 3*phaseStride+cnt]
	w := len(src)
	// Entries t0 ≤ t < t1 read columns 4t−pad … 4t+3−pad, all inside src.
	t0 := min((pad+3)/4, cnt)
	t1 := max(t0, min(cnt, (w+pad)/4))
	at := func(c int) float32 {
		if c < 0 || c >= w {
			return 0
		}
		return src[c]
	}
	for t := 0; t < t0; t++ {
		c := 4*t - pad
		p0[t], p1[t], p2[t], p3[t] = at(c), at(c+1), at(c+2), at(c+3)
	}
	for t := t0; t < t1; t++ {
		s := src[4*t-pad : 4*t-pad+4]
		p0[t], p1[t], p2[t], p3[t] = s[0], s[1], s[2], s[3]
	}
	for t := t1; t < cnt; t++ {
		c := 4*t - pad
		p0[t], p1[t], p2[t], p3[t] = at(c), at(c+1), at(c+2), at(c+3)
	}
}
