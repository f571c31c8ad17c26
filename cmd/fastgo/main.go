// Command fastgo trains and runs fastai-style image classifiers with the fastgo engine:
// the PASCAL VOC 2007 multi-label experiment end to end, single training runs,
// learning-rate finding, prediction, and benchmarks of the kernels and the training step.
//
// Usage:
//
//	fastgo <command> [flags] [arguments] [flags]
//
// Run "fastgo help" for the list of commands and "fastgo <command> -h" for one command's
// flags.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/tensor/functional"
)

// command is one fastgo subcommand.
type command struct {
	name    string
	summary string
	// run parses args (without the command name) and does the work.
	run func(args []string) error
}

var commands = map[string]*command{}

// register adds a subcommand; each command lives in its own file.
func register(c *command) {
	if commands[c.name] != nil {
		panic("fastgo: command registered twice: " + c.name)
	}
	commands[c.name] = c
}

// usageError marks an error in how the command was called (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// newFlagSet returns a flag set that reports errors instead of exiting, with a usage
// line naming the command.
func newFlagSet(name, args, summary string) *flag.FlagSet {
	fs := flag.NewFlagSet("fastgo "+name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: fastgo %s %s\n\n%s\n\nflags:\n", name, args, summary)
		fs.PrintDefaults()
	}
	return fs
}

// parseFlags parses args into fs, turning -h into a clean exit and bad flags into a
// usage error. Flags may come before and after positional arguments ("predict -model m.pth
// a.jpg -json"): the positional arguments, in order, become fs.Args(). A "--" ends the
// flags; everything after it is positional.
func parseFlags(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				os.Exit(0)
			}
			return usageError{err.Error()}
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			pos = append(pos, rest...) // after "--"
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	// Parsing "--" alone changes no flag and leaves pos as the arguments.
	if err := fs.Parse(append([]string{"--"}, pos...)); err != nil {
		return err
	}
	return applyConvFlag(fs)
}

func printHelp() {
	fmt.Println("fastgo: fastai-style training in pure Go.")
	fmt.Println()
	fmt.Println("usage: fastgo <command> [flags]")
	fmt.Println()
	fmt.Println("commands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Printf("  %-12s %s\n", n, commands[n].summary)
	}
	fmt.Println()
	fmt.Println(`"fastgo <command> -h" shows a command's flags.`)
}

func main() {
	os.Exit(runMain(os.Args[1:]))
}

// runMain runs one command line and returns the process exit status.
func runMain(args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		printHelp()
		return 0
	}
	c := commands[args[0]]
	if c == nil {
		fmt.Fprintf(os.Stderr, "fastgo: unknown command %q (run \"fastgo help\")\n", args[0])
		return 2
	}
	if err := cpu.ForcedErr(); err != nil {
		fmt.Fprintf(os.Stderr, "fastgo: %v\n", err)
		return 2
	}
	if err := functional.ConvAlgoErr(); err != nil {
		fmt.Fprintf(os.Stderr, "fastgo: %v\n", err)
		return 2
	}
	if err := c.run(args[1:]); err != nil {
		msg := strings.TrimSpace(err.Error())
		fmt.Fprintf(os.Stderr, "fastgo %s: %s\n", c.name, msg)
		var ue usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	return 0
}
