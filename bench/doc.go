// Package bench measures fastgo end to end: GEMM and convolution throughput against
// their references, the ResNet34 training step and inference in images/s with effective
// GFLOP/s, peak memory and a per-operation breakdown, and the data loader. The
// measurements back `fastgo bench` and the package's go test benchmarks; the PyTorch
// script torch_resnet34.py runs the same ResNet34 measurement for a side-by-side
// comparison.
package bench
