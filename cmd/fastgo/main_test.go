package main

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The tests run fastgo as a separate process: the test binary itself, which acts as
// fastgo when FASTGO_TEST_MAIN is set (so no separate build is needed).
func TestMain(m *testing.M) {
	if os.Getenv("FASTGO_TEST_MAIN") == "1" {
		os.Exit(runMain(os.Args[1:]))
	}
	os.Exit(m.Run())
}

// result is a finished fastgo process.
type result struct {
	code           int
	stdout, stderr string
}

// fastgo starts the command with args and extra environment variables; it does not
// wait.
func fastgoCmd(t *testing.T, env []string, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "FASTGO_TEST_MAIN=1"), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

// fastgo runs the command to its end.
func fastgo(t *testing.T, env []string, args ...string) result {
	t.Helper()
	cmd, stdout, stderr := fastgoCmd(t, env, args...)
	err := cmd.Run()
	code := 0
	if err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatalf("fastgo %v: %v", args, err)
		}
		code = ee.ExitCode()
	}
	return result{code, stdout.String(), stderr.String()}
}

// noCrash checks that a failed command printed no Go panic or stack trace.
func noCrash(t *testing.T, args []string, r result) {
	t.Helper()
	for _, bad := range []string{"panic:", "goroutine ", ".go:"} {
		if strings.Contains(r.stderr, bad) || strings.Contains(r.stdout, bad) {
			t.Errorf("fastgo %v crashed (%q):\n%s%s", args, bad, r.stdout, r.stderr)
		}
	}
}
