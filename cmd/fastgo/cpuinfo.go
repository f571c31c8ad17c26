package main

import (
	"fmt"
	"runtime"

	"github.com/fastgo/fastgo/asm/cpu"
	"github.com/fastgo/fastgo/asm/gemm"
)

func init() {
	register(&command{
		name:    "cpuinfo",
		summary: "print the CPU, the SIMD paths available and the one in use",
		run: func(args []string) error {
			fs := newFlagSet("cpuinfo", "", "Prints the CPU, the SIMD paths this build can run and the one in use.\n\n"+
				"Example:\n  FASTGO_SIMD=avx2 fastgo cpuinfo")
			if err := parseFlags(fs, args); err != nil {
				return err
			}
			fmt.Printf("cpu:        %s\n", cpu.CPUName())
			fmt.Printf("arch:       %s/%s, GOMAXPROCS %d\n", runtime.GOOS, runtime.GOARCH, runtime.GOMAXPROCS(0))
			fmt.Printf("available:  %v\n", cpu.Available())
			fmt.Printf("active:     %v (force another with FASTGO_SIMD=generic|avx2|avx512|neon)\n", cpu.Active())
			bf16 := "no"
			if gemm.HasBF16() {
				bf16 = "yes"
			}
			fmt.Printf("bf16:       %s %s; -precision bf16 ", gemm.BF16Feature(), bf16)
			if err := gemm.BF16Err(); err != nil {
				fmt.Printf("unavailable: %v\n", err)
			} else {
				fmt.Printf("runs on %s\n", gemm.BF16Path())
			}
			return nil
		},
	})
}
