// Package device is the Go SDK a device (or a proxy speaking for devices)
// embeds to send readings to its home edge node's gateway.
//
// The pieces, each in its own file:
//
//   - Identity (identity.go): a device id, the stream it writes, and the
//     device key; KeyFromSeed derives keys deterministically for simulators.
//   - SignBatch (sign.go): builds a signed gatewaypb.IngestRequest, with the
//     batch signature over node/ingest.BatchSignBytes or one signature per
//     reading over node/ingest.ReadingSignBytes.
//   - Client (client_http.go) and GRPCClient (client_grpc.go): the gateway
//     API; every refusal comes back as an *APIError (apierror.go).
//   - Batcher (batcher.go, batcher_send.go): buffers readings, cuts batches
//     by size or age, signs them, and delivers each one exactly once in
//     sequence order: retries the same batch on transient failures, counts a
//     lost acknowledgement as an ack, resyncs from the stream head on a
//     sequence conflict, and reports permanent refusals to a callback. A
//     reading is never dropped silently.
package device
