package gatewaypb

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"

	"github.com/trustedge/trustedge/node/ingest"
)

// HTTP headers carrying a ReaderSignature on GET requests (which have no
// body): the public key and the signature in standard base64, the time in
// decimal unix seconds.
const (
	HeaderReaderKey       = "X-Trustedge-Reader-Key"
	HeaderReaderSignedAt  = "X-Trustedge-Reader-Signed-At"
	HeaderReaderSignature = "X-Trustedge-Reader-Signature"
)

// SignFunc signs msg with an account key: a keyring's Sign (with any sign
// mode) or a PrivKey's Sign with its PubKey.
type SignFunc func(msg []byte) ([]byte, cryptotypes.PubKey, error)

// PrivKeySigner is a SignFunc for a key held in memory (a keyring's Sign
// is the other usual one).
func PrivKeySigner(key cryptotypes.PrivKey) SignFunc {
	return func(msg []byte) ([]byte, cryptotypes.PubKey, error) {
		sig, err := key.Sign(msg)
		return sig, key.PubKey(), err
	}
}

// SignRead signs a proof request for reading seq of streamID, to be
// served by the gateway of edge node gatewayNode on chain chainID, at time
// at. Sign again per request: the gateway takes a signature for a minute.
func SignRead(sign SignFunc, chainID, gatewayNode, streamID string, seq uint64, at time.Time) (*ReaderSignature, error) {
	signedAt := at.Unix()
	sig, pk, err := sign(ingest.ReadSignBytes(chainID, gatewayNode, streamID, seq, signedAt))
	if err != nil {
		return nil, fmt.Errorf("signing the read request: %w", err)
	}
	return &ReaderSignature{PubKey: pk.Bytes(), SignedAt: signedAt, Signature: sig}, nil
}

// SetHeaders puts r in an HTTP request's headers (nothing if r is nil).
func (r *ReaderSignature) SetHeaders(h http.Header) {
	if r == nil {
		return
	}
	h.Set(HeaderReaderKey, base64.StdEncoding.EncodeToString(r.PubKey))
	h.Set(HeaderReaderSignedAt, strconv.FormatInt(r.SignedAt, 10))
	h.Set(HeaderReaderSignature, base64.StdEncoding.EncodeToString(r.Signature))
}

// ReaderFromHeaders reads the headers SetHeaders writes: nil when none is
// present, an error when some are missing or do not parse.
func ReaderFromHeaders(h http.Header) (*ReaderSignature, error) {
	key, at, sig := h.Get(HeaderReaderKey), h.Get(HeaderReaderSignedAt), h.Get(HeaderReaderSignature)
	if key == "" && at == "" && sig == "" {
		return nil, nil
	}
	if key == "" || at == "" || sig == "" {
		return nil, errors.New("a signed read needs all three headers " +
			HeaderReaderKey + ", " + HeaderReaderSignedAt + " and " + HeaderReaderSignature)
	}
	var r ReaderSignature
	var err error
	if r.PubKey, err = base64.StdEncoding.DecodeString(key); err != nil {
		return nil, fmt.Errorf("%s is not standard base64: %w", HeaderReaderKey, err)
	}
	if r.SignedAt, err = strconv.ParseInt(at, 10, 64); err != nil {
		return nil, fmt.Errorf("%s %q is not decimal unix seconds", HeaderReaderSignedAt, at)
	}
	if r.Signature, err = base64.StdEncoding.DecodeString(sig); err != nil {
		return nil, fmt.Errorf("%s is not standard base64: %w", HeaderReaderSignature, err)
	}
	return &r, nil
}
