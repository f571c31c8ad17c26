package nn_test

import (
	"github.com/fastgo/fastgo/nn"
	"github.com/fastgo/fastgo/optim/learner"
)

// A CNN is what the learner trains.
var (
	_ learner.Model       = (*nn.CNN)(nil)
	_ learner.RandomState = (*nn.CNN)(nil)
)
