// Package metrics is fastgo's multi-label classification metrics, computed on raw logits
// and multi-hot targets as fastai computes them (SPEC §6, §10.1):
//
//   - accuracy_multi: the fraction of the B·C (prediction, label) pairs where
//     σ(logit) > thresh (strict, compared in float32 as PyTorch does) agrees with target ≠ 0;
//     any list of thresholds (fastai's nine columns 0.1…0.9 all named accuracy_multi);
//   - per-class average precision and mAP in the two PASCAL VOC definitions: VOC2007's
//     11-point interpolation with exact decimal recall thresholds k/10, and VOC2010+'s area
//     under the interpolated precision/recall curve;
//   - F-beta at a threshold, averaged per sample (fastai's FBetaMulti default), per class
//     (macro) or over all pairs (micro), as sklearn defines them with zero_division = 0.
//
// σ is evaluated in float64 and rounded to float32, where PyTorch evaluates it in float32;
// the two can differ by an ulp, which changes a prediction only for a probability that
// lands exactly on the threshold.
//
// Metric is the interface the learner's epoch table uses. Batch-averaged metrics follow
// fastai's AvgMetric (Σ value_b·B_b / Σ B_b, accumulated in float32); whole-set metrics
// (mAP, F-beta) keep every prediction of the epoch and compute once, like fastai's
// AccumMetric.
package metrics
