// Package gateway is the device-facing ingest API of an edge node: devices
// POST signed batches of readings (HTTP/JSON or gRPC), the gateway checks
// them against the chain (stream, device, access grant, device key), rate
// limits per device, stores them durably in the node's stream store and only
// then acknowledges. It also serves a stream's head (so a device can resync
// after a restart) and Merkle proofs of stored readings.
//
// One core (Gateway.Ingest) serves both transports; HTTP only adds body
// limits and JSON decoding. Every check that fails stores nothing. See
// README.md for the endpoints, status codes and the access rule.
package gateway
