package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/fastgo/fastgo/cmd/fastgo/internal/experiment"
)

// interruptible returns a context cancelled by the first Ctrl-C (SIGINT) or SIGTERM,
// after which the run stops at the end of its epoch, once the checkpoint is written; a
// second signal ends the process at once. stop releases the signal handler.
func interruptible() (ctx context.Context, stop func()) {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	var stopping atomic.Bool
	go func() {
		<-ctx.Done()
		if stopping.Load() {
			return
		}
		cancel() // restore the default handling: a second Ctrl-C quits
		fmt.Fprintln(os.Stderr, "\nfastgo: interrupt: stopping after this epoch's checkpoint (press Ctrl-C again to quit now)")
	}()
	return ctx, func() { stopping.Store(true); cancel() }
}

// interruptedError explains how to continue an interrupted run.
func interruptedError(err error, out, command string, args []string) error {
	if !errors.Is(err, experiment.ErrInterrupted) {
		return err
	}
	ck := filepath.Join(out, experiment.CheckpointFile)
	if _, serr := os.Stat(ck); serr != nil {
		return fmt.Errorf("interrupted before the first checkpoint; nothing to resume")
	}
	resume := append([]string{"fastgo", command}, args...)
	if !hasFlag(args, "resume") {
		resume = append(resume, "-resume")
	}
	return fmt.Errorf("interrupted; checkpoint %s written; continue with: %s", ck, strings.Join(resume, " "))
}

// hasFlag reports whether the boolean flag name is set in args.
func hasFlag(args []string, name string) bool {
	for _, v := range args {
		if v == "-"+name || v == "--"+name || v == "-"+name+"=true" || v == "--"+name+"=true" {
			return true
		}
	}
	return false
}
