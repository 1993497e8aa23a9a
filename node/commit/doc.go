// Package commit is the edge node's epoch committer. Every EveryBlocks
// blocks it closes an epoch of the node's stream store (node/store) and puts
// its root on chain with MsgCommitEpoch, signed by the node's committer key
// (x/edge MsgSetCommitter) or by the operator key. One
// epoch is in flight at a time: the next is closed only once the chain has
// the previous one, which keeps the chain's contiguous epoch numbers and the
// store's in step. A lost tx is re-broadcast unchanged after
// ResendAfterBlocks, then at doubling intervals (the chain refuses a
// duplicate, so this is idempotent); broadcast and chain read errors are
// retried with backoff and never drop an epoch, a failing store stops the
// committer; on
// restart the committer compares the store's last epoch with the chain's and
// carries on where it stopped.
package commit
