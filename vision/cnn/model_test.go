package cnn

import "github.com/fastgo/fastgo/optim/learner"

// A Model is what the learner trains, random state included.
var (
	_ learner.Model       = (*Model)(nil)
	_ learner.RandomState = (*Model)(nil)
)
