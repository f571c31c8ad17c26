// Package functional holds the forward and backward computations of every layer
// ResNet34 and fastai's head use — convolution, batch norm (2-D and 1-D, alone or fused
// with ReLU and a residual addition), ReLU, max pooling, adaptive average/max/concat
// pooling, flatten, linear, dropout and element-wise addition — as plain functions on
// tensor.Tensors, without autograd or module state. The autograd operations and nn
// modules are built on top of it.
//
// # Layout
//
// Every 4-D activation is channel-major, C×N×H×W ("CNHW"): shape [C, N, H, W]. The
// forward convolution is then one GEMM per chunk of output columns with the batch folded
// into the large dimension, Y[Cout × N·Ho·Wo] = W[Cout × Cin·KH·KW] · Col[Cin·KH·KW ×
// N·Ho·Wo], and its row-major output is already the CNHW result (no scatter). The 7×7
// and 14×14 stages keep GEMMs with N·49 or N·196 columns instead of 49 or 196 per image.
// Batch norm, ReLU and pooling reduce over contiguous per-channel planes, and fastai's
// concat pooling is two contiguous halves. Weights stay in PyTorch's order
// [Cout, Cin, KH, KW], which is exactly the row-major W above, so they load and save
// unchanged. 2-D activations (the head) are [N, C]. SwapNC, ToCNHW and ToNCHW convert
// a PyTorch NCHW batch; Flatten produces PyTorch's flatten order of the NCHW tensor.
//
// # Gradients
//
// Backward functions take one GradOut per gradient: a nil tensor skips it (frozen
// weights, the stem's input), Accumulate adds into the tensor (t += g) and Overwrite
// stores (t = g) without reading the old contents. Forward outputs are always
// overwritten.
//
// # Errors
//
// Shape mismatches are programming errors and panic with a message that starts with
// "functional." and names the function, the argument and the shapes, as the tensor
// package does. The ...OutputShape and FlattenShape functions check a configuration
// and return an error instead, for modules that validate their inputs.
//
// # Convolution
//
// The forward splits the N·Ho·Wo output columns between asm.Threads() goroutines; each
// walks its range in chunks, builds the chunk's im2col matrix in its own scratch buffer
// (convColBudget floats, at least convMinChunk columns; never the whole K×P matrix for a
// big layer) and calls asm.SgemmSerial, writing disjoint columns of Y. A 1×1 stride-1
// convolution needs no im2col (X is already the K×P matrix); a 1×1 stride-2 one is a
// strided gather. The weight gradient dW = dY·Colᵀ is split either over K (each
// goroutine owns columns of dW and builds only its rows of Col) or, for large P, over P
// with private partial sums added at the end. The input gradient is Wᵀ·dY followed by
// col2im, split over input channels so goroutines write disjoint planes; for stride-1
// convolutions it is computed instead as the forward convolution of dY with the
// flipped, transposed weights, which needs no col2im. Scratch buffers come from a
// package free list that survives garbage collections (ScratchBytes, DropScratch).
//
// # Batch norm
//
// Training mode normalises with the batch mean and biased variance (two passes,
// float32 partial sums over blocks of 1024 added in float64) and updates the running
// mean and unbiased running variance with the momentum; eval mode uses the running
// statistics. The forward saves the mean and 1/sqrt(var+eps) it used (BNSaved) for the
// backward. BatchNorm2dReLU fuses bn→relu and bn→(+residual)→relu, and its backward
// takes the ReLU mask from the saved output and also returns the residual's gradient.
package functional
