package learner

import (
	"math"
	"strconv"
	"strings"
)

// FormatTime formats a duration in seconds as fastprogress's format_time does: the
// whole seconds as mm:ss, or h:mm:ss from one hour on.
func FormatTime(seconds float64) string {
	t := int(seconds)
	h, m, s := t/3600, (t/60)%60, t%60
	if h != 0 {
		return strconv.Itoa(h) + ":" + pad2(m) + ":" + pad2(s)
	}
	return pad2(m) + ":" + pad2(s)
}

func pad2(x int) string {
	if x < 10 {
		return "0" + strconv.Itoa(x)
	}
	return strconv.Itoa(x)
}

// fixed6 formats x as Python's f'{x:.6f}' (nan, inf, -inf for non-finite values).
func fixed6(x float64) string {
	switch {
	case math.IsNaN(x):
		return "nan"
	case math.IsInf(x, 1):
		return "inf"
	case math.IsInf(x, -1):
		return "-inf"
	}
	return strconv.FormatFloat(x, 'f', 6, 64)
}

// table lays out fastai's epoch table as fastprogress's console master bar writes it:
// each header name is padded to at least 8 characters and names are joined by two
// spaces; each row value is followed by spaces up to its column's width plus two.
type table struct{ names []string }

// header returns the header line and fixes the column widths.
func (t *table) header(names []string) string {
	t.names = make([]string, len(names))
	for i, n := range names {
		if len(n) < 8 {
			n += strings.Repeat(" ", 8-len(n))
		}
		t.names[i] = n
	}
	return strings.Join(t.names, "  ")
}

// row returns one row of already formatted values.
func (t *table) row(vals []string) string {
	var b strings.Builder
	for i, v := range vals {
		if i >= len(t.names) {
			break
		}
		b.WriteString(v)
		b.WriteString(strings.Repeat(" ", max(0, 2+len(t.names[i])-len(v))))
	}
	return b.String()
}

// epochRow formats an epoch's values as fastai's Recorder logs them: the epoch as an
// integer, losses and metrics to 6 decimals (an empty cell where a value is missing),
// then the time.
func epochRow(epoch int, values []float64, skipped []bool, elapsed float64) []string {
	out := []string{strconv.Itoa(epoch)}
	for i, v := range values {
		if skipped != nil && skipped[i] {
			out = append(out, "")
			continue
		}
		out = append(out, fixed6(v))
	}
	return append(out, FormatTime(elapsed))
}
