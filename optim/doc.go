// Package optim is fastgo's optimisers with fastai v2's semantics (SPEC §3–§4): Adam with
// decoupled ("true") weight decay and SGD with momentum over parameter groups, each group
// with its own hyper-parameters; learning rates given as a float or a slice spread over the
// groups (fastcore's even_mults); freezing of groups with BatchNorm parameters kept
// trainable; the hyper-parameter schedules of fit_one_cycle and lr_find; and an optimiser
// state that can be exported and imported as named tensors and scalars for checkpoints.
//
// # Which parameters a step visits
//
// A step visits a parameter iff its gradient exists (Var.Grad != nil), whatever its
// requires-grad flag says, exactly as fastai's Optimizer.all_params(with_grad=True) does.
// ZeroGrad zeroes gradients but never drops them. Two consequences follow, and both are
// fastai's behaviour (SPEC §3), reproduced on purpose:
//
//   - A parameter that has never received a gradient (a group frozen since the learner was
//     built) is skipped entirely: no weight decay, no state.
//   - A parameter that was trained and is then frozen again keeps a zero gradient, so it is
//     still visited: its Adam/SGD update is exactly zero, but weight decay still shrinks it
//     by (1 − lr·wd) per step, with its own group's scheduled lr. This "stale-gradient"
//     decay is not what freezing promises in words; it is what fastai does.
//
// # Arithmetic
//
// Hyper-parameters are float64 (Python floats in fastai); the per-element update runs in
// float32 in the order PyTorch's in-place ops do it (p·(1−lr·wd); m·β1 + (1−β1)·g;
// v·β2 + (1−β2)·g·g; p + (−lr/debias1)·m / (sqrt(v/debias2) + eps)), with every product
// explicitly rounded so no fused multiply-add changes results between amd64 and arm64.
// Adam's update is one pass of asm/adam.Step (AVX-512 and AVX2 kernels, bit-identical to
// the Go twin; 0.38 against 3.4 ns per parameter on 4 M parameters).
// The debias terms are computed in float64 as fastai writes them,
// (1−β)·(1−β^t)/(1−β), with the current (scheduled) β. Against fastai's formulas run in
// PyTorch 1.13 (testdata/make_fixtures.py) steps agree to 2e-7 relative; against
// torch.optim.AdamW, which divides by sqrt(b2) separately, to 1e-6.
//
// # Schedules
//
// CombineScheds keeps fastai's float32 phase bounds and within-phase fraction, so one-cycle
// values match fastai's to 1e-13 relative; the remaining difference is Go's math.Cos and
// math.Pow against glibc's cos and pow (a few ulp, magnified by cancellation near the end
// of the annealing phase).
package optim
