package vision

import (
	"fmt"
	"math/rand/v2"
)

// RandomSplit is fastai's RandomSplitter(valid_pct, seed): a seeded random permutation
// of the items whose first int(validPct·n) go to validation and the rest to training.
// Both parts keep the items' original order (fastai keeps the permutation's; the
// training loader reshuffles every epoch anyway). The permutation is a PCG one from
// seed, not torch.randperm's, so the same seed picks other items than fastai would.
func RandomSplit(items []Item, validPct float64, seed uint64) (train, valid []Item, err error) {
	isValid, err := randomValid(len(items), validPct, seed)
	if err != nil {
		return nil, nil, err
	}
	for i, it := range items {
		if isValid[i] {
			valid = append(valid, it)
		} else {
			train = append(train, it)
		}
	}
	return train, valid, nil
}

// randomValid marks the validation items of RandomSplit among n.
func randomValid(n int, validPct float64, seed uint64) ([]bool, error) {
	if !(validPct >= 0 && validPct < 1) {
		return nil, fmt.Errorf("valid_pct %g must be in [0, 1)", validPct)
	}
	perm := rand.New(rand.NewPCG(seed, 0x5e1ec7)).Perm(n)
	isValid := make([]bool, n)
	for _, i := range perm[:int(validPct*float64(n))] {
		isValid[i] = true
	}
	return isValid, nil
}
