package types

import (
	"unicode"
	"unicode/utf8"

	errorsmod "cosmossdk.io/errors"
)

// Limits of a stream's description and of one on-chain reading.
const (
	// MaxIDLen bounds stream ids, as x/device bounds device ids.
	MaxIDLen = 64
	// MaxSchemaLen bounds Stream.schema (bytes).
	MaxSchemaLen = 64
	// MaxUnitLen bounds Stream.unit (bytes).
	MaxUnitLen = 32
	// MaxPayloadBytes bounds MsgRecordReading.payload; the gateway's limit
	// per reading is the same (node/ingest.MaxPayloadBytes).
	MaxPayloadBytes = 1024
	// MinReadingsPerEpochLimit is the lowest max_readings_per_epoch the
	// params accept: one gateway batch (node/ingest.MaxReadingsPerBatch) is
	// never split across epochs, so a lower cap could never be met.
	MinReadingsPerEpochLimit = 10000
	// MaxBacklogReadings is the most readings a home node holds acked but
	// in no epoch yet at its defaults (node/gateway
	// DefaultMaxPendingReadings; a test keeps them equal).
	MaxBacklogReadings = 20_000_000
	// CloseGraceEpochs is how many of the home node's epochs after the one
	// current at MsgCloseStream may still hold the stream's readings: the
	// backlog the gateway took before it saw the close, drained oldest
	// first, plus the epoch in flight and one more. Sized for the worst
	// case the chain allows — a full backlog cut at the lowest
	// max_readings_per_epoch — so an honest node never loses a reading it
	// acknowledged, even after a stall: 20M / 10k + 2 = 2 002 epochs
	// (about half an hour at one epoch per 1 s block). Verify refuses a
	// closed stream's readings in later epochs, so a home node cannot keep
	// appending to it.
	CloseGraceEpochs = MaxBacklogReadings/MinReadingsPerEpochLimit + 2
)

// ValidateStreamID accepts 1..64 characters of [A-Za-z0-9._:-], the rule of
// device ids: safe in URLs, store keys and the "stream/<id>" resource.
func ValidateStreamID(id string) error {
	if !validID(id) {
		return errorsmod.Wrapf(ErrInvalidStreamID, "%q: must be 1..%d of [A-Za-z0-9._:-]", id, MaxIDLen)
	}
	return nil
}

// ValidateDeviceRef checks a device id by the same rule, before a lookup.
func ValidateDeviceRef(id string) error {
	if !validID(id) {
		return errorsmod.Wrapf(ErrInvalidStream, "device id %q: must be 1..%d of [A-Za-z0-9._:-]", id, MaxIDLen)
	}
	return nil
}

func validID(id string) bool {
	if len(id) == 0 || len(id) > MaxIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9') ||
			c == '.' || c == '_' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

// ValidateLabels checks schema and unit: bounded UTF-8 without control
// characters (they end up in CLI output and logs). Both may be empty.
func ValidateLabels(schema, unit string) error {
	if err := validateLabel("schema", schema, MaxSchemaLen); err != nil {
		return err
	}
	return validateLabel("unit", unit, MaxUnitLen)
}

func validateLabel(field, s string, maxLen int) error {
	if len(s) > maxLen {
		return errorsmod.Wrapf(ErrInvalidStream, "%s is %d bytes, max %d", field, len(s), maxLen)
	}
	if !utf8.ValidString(s) {
		return errorsmod.Wrapf(ErrInvalidStream, "%s is not UTF-8", field)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return errorsmod.Wrapf(ErrInvalidStream, "%s %q has a control character", field, s)
		}
	}
	return nil
}

// EffectiveReplication is the replication a request asks for: 0 means 1
// (the home node only). It must not exceed maxReplication.
func EffectiveReplication(requested, maxReplication uint32) (uint32, error) {
	if requested == 0 {
		requested = 1
	}
	if requested > maxReplication {
		return 0, errorsmod.Wrapf(ErrInvalidStream, "replication %d exceeds max_replication %d", requested, maxReplication)
	}
	return requested, nil
}

// ValidatePayload bounds one on-chain reading.
func ValidatePayload(payload []byte) error {
	if len(payload) > MaxPayloadBytes {
		return errorsmod.Wrapf(ErrPayloadTooLarge, "%d bytes, max %d", len(payload), MaxPayloadBytes)
	}
	return nil
}
