package learner

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// ProgressMode selects how a fit shows its progress.
type ProgressMode int

const (
	// ProgressAuto draws a bar on a terminal and prints plain lines otherwise.
	ProgressAuto ProgressMode = iota
	// ProgressBar redraws one line with \r, as fastprogress's console bar does.
	ProgressBar
	// ProgressLines prints a line at every tenth of a phase (for logs and pipes).
	ProgressLines
	// ProgressOff shows nothing.
	ProgressOff
)

// barWidth is fastprogress's bar length on a 100-column console (cols − 60).
const barWidth = 40

// progress draws the progress of one phase (the training or validation batches of an
// epoch): done/total, elapsed time, estimated time left, rate and a comment (the
// smoothed loss in training).
type progress struct {
	w      io.Writer
	mode   ProgressMode
	clock  func() time.Time
	prefix string
	total  int
	start  time.Time
	shown  int // lines mode: tenths already printed
	width  int // bar mode: longest line drawn
}

func newProgress(w io.Writer, mode ProgressMode, clock func() time.Time) *progress {
	if mode == ProgressAuto {
		mode = ProgressLines
		if f, ok := w.(*os.File); ok {
			if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				mode = ProgressBar
			}
		}
	}
	return &progress{w: w, mode: mode, clock: clock}
}

// begin starts a phase of total batches.
func (p *progress) begin(prefix string, total int) {
	p.prefix, p.total, p.start, p.shown, p.width = prefix, total, p.clock(), 0, 0
	if p.mode == ProgressBar {
		p.update(0, "")
	}
}

// update shows that done batches are finished.
func (p *progress) update(done int, comment string) {
	if p.mode == ProgressOff || p.total <= 0 {
		return
	}
	elapsed := p.clock().Sub(p.start).Seconds()
	var rate, remaining float64
	if done > 0 && elapsed > 0 {
		rate = float64(done) / elapsed
		remaining = float64(p.total-done) / rate
	}
	text := fmt.Sprintf("%.2f%% [%d/%d %s<%s %.2f it/s", 100*float64(done)/float64(p.total), done, p.total,
		FormatTime(elapsed), FormatTime(remaining), rate)
	if comment != "" {
		text += " " + comment
	}
	text += "]"
	switch p.mode {
	case ProgressBar:
		filled := barWidth * done / p.total
		line := fmt.Sprintf("%s |%s%s| %s", p.prefix, strings.Repeat("█", filled), strings.Repeat("-", barWidth-filled), text)
		n := len([]rune(line))
		pad := ""
		if n < p.width {
			pad = strings.Repeat(" ", p.width-n)
		}
		p.width = max(p.width, n)
		fmt.Fprint(p.w, "\r"+line+pad)
	case ProgressLines:
		tenth := 10 * done / p.total
		if done == 0 || tenth <= p.shown && done < p.total {
			return
		}
		p.shown = tenth
		fmt.Fprintf(p.w, "%s %s\n", p.prefix, text)
	}
}

// end clears the bar so that the table's next line starts clean.
func (p *progress) end() {
	if p.mode == ProgressBar && p.width > 0 {
		fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.width)+"\r")
		p.width = 0
	}
}

// progressCB drives the progress display.
type progressCB struct{}

// Handle implements Callback.
func (progressCB) Handle(e Event, l *Learner) error {
	p := l.progress
	phase := func(name string, total int) {
		p.begin(fmt.Sprintf("Epoch %d/%d %s", l.Epoch+1, l.NEpoch, name), total)
	}
	switch e {
	case BeforeTrain:
		phase("train", l.NIter)
	case BeforeValidate:
		phase("valid", l.Valid.Len())
	case AfterBatch:
		comment := ""
		if l.Training {
			comment = fmt.Sprintf("%.4f", l.Recorder.SmoothLoss())
		}
		p.update(l.Iter+1, comment)
	case AfterTrain, AfterValidate, AfterFit:
		p.end()
	}
	return nil
}
