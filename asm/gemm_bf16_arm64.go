//go:build arm64 && !purego

package asm

import "github.com/klauspost/cpuid/v2"

// bf16CPU reports whether the CPU has Arm's BF16 extension (FEAT_BF16: BFDOT, BFMMLA;
// HWCAP2_BF16 on Linux).
func bf16CPU() bool { return cpuid.CPU.Supports(cpuid.BF16) }
