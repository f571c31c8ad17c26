// Package functional holds the forward and backward computations of every layer
// ResNet34 and fastai's head use — convolution, batch norm (2-D and 1-D, alone or fused
// with ReLU and a residual addition), ReLU, max pooling, adaptive average/max/concat
// pooling, flatten, linear, dropout and element-wise addition — as plain functions on
// tensor.Tensors, without autograd or module state. The autograd operations and nn
// modules are built on top of it. Every function is checked against PyTorch fixtures
// (testdata/gen_layers.py) and float64 finite differences on every dispatch path.
//
// # Layout
//
// Every 4-D activation is channel-major, C×N×H×W ("CNHW"): shape [C, N, H, W]. The
// forward convolution is then one GEMM per chunk of output columns with the batch folded
// into the large dimension, Y[Cout × N·Ho·Wo] = W[Cout × Cin·KH·KW] · Col[Cin·KH·KW ×
// N·Ho·Wo], and its row-major output is already the CNHW result (no scatter). The 7×7
// and 14×14 stages keep GEMMs with N·49 or N·196 columns instead of 49 or 196 per image.
// Batch norm, ReLU and pooling work on contiguous per-channel planes, and fastai's
// concat pooling is two contiguous halves. Weights stay in PyTorch's order
// [Cout, Cin, KH, KW], which is exactly the row-major W above, so they load and save
// unchanged. 2-D activations (the head) are [N, C]. SwapNC, ToCNHW and ToNCHW convert
// a PyTorch NCHW batch; Flatten produces PyTorch's flatten order of the NCHW tensor.
//
// Measured against the per-image NCHW formulation (each image's [Cin, H, W] convolved on
// its own, GEMM width Ho·Wo; BenchmarkTuneLayout, forward, batch 16, AVX-512, one
// thread, best of 7 by thread CPU time, GFLOP/s CNHW vs NCHW): layer4 3×3 512→512 at 7×7
// 116 vs 97, layer4 1×1 stride-2 downsample 140 vs 88, layer3 3×3 at 14×14 120 vs 121,
// layer1 3×3 at 56×56 112 vs 112, layer2 3×3 at 28×28 115 vs 119, layer2 1×1 stride-2
// downsample 83 vs 92. CNHW wins where the per-image GEMM is narrow and loses up to ~10%
// in the middle stages, where a whole image's columns happen to suit the GEMM's blocking.
//
// # Gradients
//
// Backward functions take one GradOut per gradient: a nil tensor skips it (frozen
// weights, the stem's input), Accumulate adds into the tensor (t += g) and Overwrite
// stores (t = g) without reading the old contents (NaNs there do not matter). Forward
// outputs are always overwritten.
//
// # Errors
//
// Shape mismatches are programming errors and panic with a message that starts with
// "functional." and names the function, the argument and the shapes, as the tensor
// package does. Conv2dOutputShape, MaxPool2dOutputShape and FlattenShape check a
// configuration and return an error instead, for modules that validate their inputs.
//
// # Convolution
//
// The forward cuts the N·Ho·Wo output columns into chunks (convColBudget floats of
// im2col matrix, at least convMinChunk = 1024 columns so the GEMM's packing of W is
// amortised; never the whole K×P matrix of a big layer; their number a multiple of the
// goroutines), which cpu.Threads() goroutines take on demand: each builds the chunk's
// im2col matrix in its own scratch buffer and calls gemm.SgemmSerial, writing disjoint
// columns of Y. On demand rather than in fixed halves, so that on a machine shared with
// other processes a goroutine whose core is busy elsewhere holds up nobody; every column
// is computed the same way in any chunk, so the result does not depend on who took what.
// (The weight gradient keeps fixed shares: its partial sums would otherwise be added in
// an order that changes from run to run.) A 1×1 stride-1 convolution needs no im2col (X is the
// K×P matrix). Strided convolutions read a deinterleaved copy of the image: where the
// stride is in both directions and the output covers the image (ResNet's stem, 3×3
// and 1×1 stride-2 layers) its phase planes (im2col_phase.go), so that every im2col
// row of a chunk is one memmove plus edge zeroing and a 1×1 stride-2 layer's planes
// are its column matrix; otherwise each row's column phases, so that every im2col row
// segment is a memmove instead of a strided gather (+30% on the stem's forward, +0–3%
// on the 3×3 stride-2 layers, BenchmarkTuneDeint; the phase planes then gave +5–10% on
// the stem, +15–20% on the 3×3 stride-2 layers, +10% on layer2's 1×1 stride-2 and −4%
// on layer4's, one thread, batch 16). For col2im deinterleaving measured 10–15% slower
// and is not used. Splitting the columns measured faster than building each chunk on one goroutine
// and calling the parallel gemm.Sgemm on the stem, layer1 and the stride-2 layer2
// convolution (125 vs 87, 153 vs 100, 79 vs 56 GFLOP/s best-of-9 wall time with 2
// threads, BenchmarkTuneParallel) and within noise on the others, on a machine shared
// with other jobs.
//
// The weight gradient dW = dY·Colᵀ is split over K (each goroutine owns columns of dW
// and builds only its rows of Col) or, when P ≥ 4096, over P with private partial sums
// added at the end: for the stem (K = 147) the K split leaves each goroutine a GEMM 74
// columns wide, and the P split measured 75 vs 57 GFLOP/s (2 threads); elsewhere the two
// are within noise. The input gradient is Wᵀ·dY followed by col2im, split over input
// channels so goroutines write disjoint planes; for stride-1 convolutions with
// P ≥ 2048 it is instead the forward convolution of dY with the flipped, transposed
// weights (no col2im): layer1 95 vs 87 GFLOP/s, layer2/3 within 2%, layer4 (P = 784,
// where transposing 2.4 M weights per call shows) 137 vs 148 in col2im's favour.
//
// Per-layer results (fastgo bench conv, batch 16, one thread, AVX-512, thread CPU
// time; GFLOP/s of the layer and its share of the GEMM-alone time for the same shape):
// forward 114–164 (64–102%), input gradient 92–159 (56–84%), weight gradient 96–156
// (63–91%); all 36 convolutions of a training step together take 2.49 s against 2.03 s
// for their GEMMs alone (82%; AVX2 87%). Below 75% are the stride-2 layers (strided
// gathers and scatter-adds in Go) and the 1×1 stride-2 downsamples, whose gather costs
// as much as a third of their small GEMM.
//
// Scratch buffers come from package free lists that survive garbage collections
// (ScratchBytes, DropScratch).
//
// # Precision
//
// SetPrecision(BF16) makes every convolution (forward, input gradient, weight
// gradient) and linear layer multiply bf16-rounded operands with float32 accumulation
// (gemm.BF16: AVX512_BF16 VDPBF16PS or Arm BFDOT), PyTorch's CPU autocast for these
// layers; the rest of the network, the loss, the optimiser and the master weights stay
// float32. Rounding is fused into the GEMM's packing, so the same drivers, chunking and
// layouts run in both precisions and nothing is stored in bf16; a weight is rounded
// each time it is packed. The setting is process-wide (like cpu.SetThreads);
// CheckPrecision tells whether the CPU has the instructions (without them BF16 runs on
// asm's slow Go twin, which commands refuse to do). The convolution and linear tests
// bound each bf16 result against float64 by (2⁻⁷ + 2⁻¹⁶ + k·2⁻²⁴)·Σ|a||b|.
//
// # Batch norm
//
// Training mode normalises with the batch mean and biased variance and updates the
// running mean and unbiased running variance with the momentum; eval mode uses the
// running statistics. The moments take one pass over memory (bn.Stats on blocks of
// 4096 values that stay in L1, each summed about a shift near its mean and merged in
// float64 by Chan et al.'s update), accurate when the mean is large against the spread.
// The forward saves the mean and 1/sqrt(var + eps) it used (BNSaved) for the backward.
// BatchNorm2dReLU fuses bn→relu and bn→(+residual)→relu into one SIMD pass
// (bn.ApplyReLU, bn.ApplyAddReLU); its backward takes the ReLU mask from the saved
// output, forms both gradient sums in one pass (bn.GradSumsReLU) and the input and
// residual gradients in a second, with PyTorch's NaN rules. Channels are split between
// goroutines. On [64, 64, 112, 112], one thread, AVX-512: training forward 19.6 ms,
// backward 31.9 ms, BN-ReLU backward 52.6 ms (from 30.6, 51.6 and 100 ms with separate
// vector kernels), 64–75% of a copy's bandwidth in the same run (asm BenchmarkBN).
//
// # Pooling
//
// MaxPool2d keeps each output's argmax index (int32, PyTorch's return_indices) for the
// backward, which is then a scatter instead of a second search. ResNet's 3×3, stride-2,
// padding-1 window has a plane kernel (asm/pool.MaxPool3s2: AVX-512, AVX2, NEON and a
// branch-free generic twin) that reads each input row once, splits even and odd columns
// and keeps PyTorch's row-major first-maximum rule exactly, ±0 and NaN included: on
// [64, 64, 112, 112] 14.2 ms on one thread and 7.4 ms on two, about 60% of a copy's
// bandwidth (from 238 ms for the earlier scalar scan). Other windows use a branch-free
// Go scan with 64-bit keys — value order in the high half, reversed index in the low —
// since on this machine a comparison that mispredicts half the time costs ~10× the work;
// windows holding a NaN take the plain scan.
package functional
