package cpu

import (
	"runtime"
	"testing"
)

func TestParseISARoundTrip(t *testing.T) {
	for _, isa := range []ISA{Generic, AVX2, AVX512, NEON} {
		got, err := ParseISA(isa.String())
		if err != nil || got != isa {
			t.Errorf("ParseISA(%q) = %v, %v; want %v", isa.String(), got, err, isa)
		}
	}
	if _, err := ParseISA("sse9"); err == nil {
		t.Error("ParseISA(\"sse9\") succeeded")
	}
}

// TestUseRunsHooks checks that a registered family sees the active path at once, sees
// every path Use switches to, and sees the previous one again after restore.
func TestUseRunsHooks(t *testing.T) {
	var seen []ISA
	OnInstall(func(isa ISA) { seen = append(seen, isa) })
	defer func() { hooks = hooks[:len(hooks)-1] }()
	start := Active()
	if len(seen) != 1 || seen[0] != start {
		t.Fatalf("OnInstall saw %v; want [%v]", seen, start)
	}
	for _, isa := range Available() {
		restore, err := Use(isa)
		if err != nil {
			t.Fatalf("Use(%v): %v", isa, err)
		}
		if Active() != isa || seen[len(seen)-1] != isa {
			t.Errorf("after Use(%v): Active %v, hook saw %v", isa, Active(), seen[len(seen)-1])
		}
		restore()
		if Active() != start || seen[len(seen)-1] != start {
			t.Errorf("after restoring from %v: Active %v, hook saw %v; want %v", isa, Active(), seen[len(seen)-1], start)
		}
	}
	for _, isa := range []ISA{AVX2, AVX512, NEON} {
		if !Supported(isa) {
			if _, err := Use(isa); err == nil {
				t.Errorf("Use(%v) succeeded on a CPU/build without it", isa)
			}
		}
	}
}

func TestSetThreads(t *testing.T) {
	prev := SetThreads(3)
	defer SetThreads(prev)
	if Threads() != 3 {
		t.Errorf("Threads() = %d after SetThreads(3)", Threads())
	}
	if got := SetThreads(0); got != 3 {
		t.Errorf("SetThreads returned %d; want the previous setting 3", got)
	}
	if Threads() != runtime.GOMAXPROCS(0) {
		t.Errorf("Threads() = %d after SetThreads(0); want GOMAXPROCS %d", Threads(), runtime.GOMAXPROCS(0))
	}
}
