// Package learner is fastgo's training loop with fastai v2's semantics (SPEC §3–§8): a
// Learner trains a Model on a training Loader, evaluates it on a validation Loader and
// prints fastai's epoch table; it offers fit (constant lr), fit_one_cycle, fine_tune,
// freeze / freeze_to / unfreeze, and lr_find with its plot and suggestions; RunPhases runs
// a notebook's sequence of them (a list of Phase: freeze_to, lr_find, fit_one_cycle).
//
// # The loop
//
// One fit runs, per epoch: Model.Train(true) and the training batches (forward, loss,
// backward, optimiser step, zero_grad), then Model.Train(false) and the validation batches
// without recording gradients, then one row of the table:
//
//	epoch     train_loss  valid_loss  accuracy_multi  time
//	0         0.512345    0.401234    0.871000        00:03
//
// train_loss is the smoothed loss (β = 0.98, debiased; reset at the start of each fit and
// carried across its epochs) after the epoch's last batch, valid_loss the batch-size
// weighted mean of the validation batches' losses, and time the epoch's wall time as
// mm:ss. Columns are laid out as fastprogress's console table does.
//
// # Callbacks
//
// Everything around the core loop is a Callback called at named events (BeforeFit,
// BeforeEpoch, BeforeTrain, BeforeBatch, AfterLoss, AfterBatch, AfterTrain,
// BeforeValidate, AfterValidate, AfterEpoch, AfterFit), reading and changing the Learner's
// exported state. The built-in ones are the hyper-parameter schedules (one-cycle and the
// lr_find sweep, run before every training batch), the stop on a non-finite loss, the
// progress display and the checkpoint hook; Config.Callbacks adds more. A callback
// returns ErrCancelFit to end the fit cleanly (lr_find does) or any other error to abort.
//
// # Checkpoints and resuming
//
// After every epoch the Learner hands Config.OnCheckpoint a Checkpoint holding everything
// needed to continue: which fit of the Learner's life it is and its arguments, the epoch
// and iteration reached, the model's state dict, the optimiser's state (moments, steps,
// hyper-parameters, frozen groups, which gradients exist), the recorder and the random
// states of the model and loaders that expose them. Resume loads one into a freshly made
// Learner; the program then repeats the same calls (freeze, lr_find, fits…): calls before
// the checkpointed fit are skipped, that fit continues after the saved epoch, and the
// results equal an uninterrupted run's.
//
// # Differences from fastai
//
//   - lr_find keeps the model and optimiser snapshot in memory instead of writing
//     models/_tmp.pth; what it restores is the same (weights, buffers, optimiser state and
//     hyper-parameters), and gradients that exist stay allocated, as in fastai.
//   - A non-finite loss stops fit, fit_one_cycle and fine_tune with an error naming the
//     epoch, batch and learning rate, before the optimiser step (fastai's optional
//     TerminateOnNaNCallback stops after it). lr_find never stops on NaN (SPEC §5).
//   - The progress display adds the rate (batches per second) to fastprogress's bar, and
//     prints plain lines (about ten per phase) when the output is not a terminal, where
//     fastprogress prints nothing.
//   - The loss printed is computed through the log-sigmoid (autograd.BCEWithLogits), which
//     stays finite where the seed's literal float32 formula overflows (SPEC §8).
package learner
