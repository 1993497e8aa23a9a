package ingest

import (
	"fmt"
	"net/url"
	"strings"
)

// Request limits. A batch over them is refused whole with 413 (nothing
// stored); devices split larger uploads.
const (
	// MaxBodyBytes bounds one HTTP request body or gRPC message.
	MaxBodyBytes = 4 << 20
	// MaxReadingsPerBatch bounds the readings in one batch.
	MaxReadingsPerBatch = 10000
	// MaxPayloadBytes bounds one reading's payload.
	MaxPayloadBytes = 1024
	// MaxIDLen bounds stream and device ids (same rule as x/device).
	MaxIDLen = 64
)

// ValidateID accepts 1..64 characters of [A-Za-z0-9._:-], the rule of device
// and stream ids on chain; it keeps ids safe in URLs and store keys.
func ValidateID(kind, id string) error {
	if len(id) == 0 || len(id) > MaxIDLen {
		return fmt.Errorf("%s id %q (%d bytes): must be 1..%d characters", kind, clip(id), len(id), MaxIDLen)
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') ||
			c == '.' || c == '_' || c == ':' || c == '-') {
			return fmt.Errorf("%s id %q: only [A-Za-z0-9._:-] allowed", kind, clip(id))
		}
	}
	return nil
}

// PathSegment escapes an id for one URL path segment. "." and ".." are
// valid ids but dot segments to every HTTP stack (the gateway's ServeMux
// cleans them away and redirects) and url.PathEscape leaves dots alone;
// %2E reaches the handler as the id itself.
func PathSegment(id string) string {
	if id == "." || id == ".." {
		return strings.Repeat("%2E", len(id))
	}
	return url.PathEscape(id)
}

// clip shortens an id quoted in an error: a refused request may carry a
// megabyte "id", and the refusal is both answered and logged.
func clip(id string) string {
	if len(id) <= MaxIDLen+16 {
		return id
	}
	return id[:MaxIDLen] + "…"
}
