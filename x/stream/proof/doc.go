// Package proof defines how TrustEdge readings are committed and how a
// reading is proved against an epoch root. It depends only on CometBFT's
// crypto/merkle (RFC 6962 trees), so a cloud service or a light client can
// import it without the rest of the node.
//
// The commitment has two levels:
//
//	reading leaf   = ReadingLeaf(stream, seq, time, payload)
//	batch root     = merkle root over one stream's readings in the epoch, in seq order
//	epoch leaf     = BatchLeaf(stream, first_seq, last_seq, batch root, salt)
//	epoch root     = merkle root over the epoch's batch leaves, sorted by stream id
//
// The salt is 32 random bytes per batch (none in epochs closed before salts
// existed): it keeps a proof's aunts, the leaf hashes of other streams'
// batches, from revealing those streams' readings to a guessing reader.
//
// The epoch root is what an edge node puts on chain in MsgCommitEpoch.
// Verify checks the math against a root; the caller must take that root
// from the chain's commitment for (Node, Epoch) and check that Node is the
// stream's home node there (x/stream's Verify query does both).
package proof
