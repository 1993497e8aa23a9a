// Package chainview reads the latest committed chain state in-process, for
// the edge data plane (gateway, epoch committer) that runs beside the
// validator in trustedged. Each call opens a read-only branch of the last
// committed version and calls the keepers directly: no gRPC marshalling,
// and never a look at state of a block still being executed.
package chainview

import (
	"context"
	"errors"
	"time"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/trustedge/trustedge/app"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// View reads an app's committed state. It is safe for concurrent use,
// also while blocks are being executed and committed: every call reads its
// own immutable version of the stores.
type View struct {
	app *app.App
}

// New returns a View of a.
func New(a *app.App) *View { return &View{app: a} }

// Height is the last committed height (0 before the first block). It is
// one atomic load (app.CommittedHeight): cheap enough for every request.
func (v *View) Height() int64 { return v.app.CommittedHeight() }

// ChainID is the chain id the app runs.
func (v *View) ChainID() string { return v.app.ChainID() }

// query returns a context over the latest committed version, carrying
// ctx's deadline and values. CreateQueryContext(0) insists that its check
// state's header is at the latest height, which is not so in two cases: a
// commit landing between its two reads, and a restarted node before its
// first new block (BaseApp's check header is empty until then). Both get
// the same version asked for by number, with the block time taken from
// the stored commit info, so x/access still sees the right time.
func (v *View) query(ctx context.Context) (sdk.Context, error) {
	if err := ctx.Err(); err != nil {
		return sdk.Context{}, err
	}
	qctx, err := v.app.CreateQueryContext(0, false)
	if errors.Is(err, sdkerrors.ErrInvalidHeight) {
		if h := v.Height(); h > 0 {
			qctx, err = v.app.CreateQueryContext(h, false)
		}
	}
	if err != nil {
		return sdk.Context{}, err
	}
	return qctx.WithContext(ctx), nil
}

// Stream returns stream id; the error wraps x/stream ErrStreamNotFound when
// there is no such stream.
func (v *View) Stream(ctx context.Context, id string) (streamtypes.Stream, error) {
	qctx, err := v.query(ctx)
	if err != nil {
		return streamtypes.Stream{}, err
	}
	return v.app.StreamKeeper.GetStream(qctx, id)
}

// Device returns device id; the error wraps x/device ErrDeviceNotFound when
// there is no such device.
func (v *View) Device(ctx context.Context, id string) (devicetypes.Device, error) {
	qctx, err := v.query(ctx)
	if err != nil {
		return devicetypes.Device{}, err
	}
	return v.app.DeviceKeeper.GetDevice(qctx, id)
}

// Allowed is x/access Check on the last committed state: may subject do
// action on resource, with grant expiry judged at the later of the last
// block's time and the clock. An error means no decision (bad subject, action
// or resource; state unavailable).
func (v *View) Allowed(ctx context.Context, subject, action, resource string) (bool, error) {
	qctx, err := v.query(ctx)
	if err != nil {
		return false, err
	}
	// Grant expiry is judged at the later of the last block's time and the
	// clock: a chain that stalls keeps its last block time, and a grant
	// that expired since must not keep admitting ingest meanwhile. (Off
	// chain only: the state machine judges expiry at block time.)
	if now := time.Now(); now.After(qctx.BlockTime()) {
		qctx = qctx.WithBlockTime(now)
	}
	d, err := v.app.AccessKeeper.Check(qctx, subject, action, resource)
	if err != nil {
		return false, err
	}
	return d.Allowed, nil
}

// VerifyDeviceSignature checks sig over msg with the key device id has at
// the last committed height; it also refuses a device that is not ACTIVE
// (x/device VerifySignature).
func (v *View) VerifyDeviceSignature(ctx context.Context, deviceID string, msg, sig []byte) error {
	qctx, err := v.query(ctx)
	if err != nil {
		return err
	}
	_, err = v.app.DeviceKeeper.VerifySignature(qctx, deviceID, msg, sig, 0)
	return err
}

// LastEpoch is the latest epoch node (bech32 operator address) committed,
// 0 if none: the committer's next epoch is LastEpoch+1.
func (v *View) LastEpoch(ctx context.Context, node string) (uint64, error) {
	addr, err := v.nodeAddr(node)
	if err != nil {
		return 0, err
	}
	qctx, err := v.query(ctx)
	if err != nil {
		return 0, err
	}
	return v.app.StreamKeeper.GetLastEpoch(qctx, addr)
}

// EpochCommit returns node's commitment for epoch, found=false if there is
// none (yet).
func (v *View) EpochCommit(ctx context.Context, node string, epoch uint64) (streamtypes.EpochCommit, bool, error) {
	addr, err := v.nodeAddr(node)
	if err != nil {
		return streamtypes.EpochCommit{}, false, err
	}
	qctx, err := v.query(ctx)
	if err != nil {
		return streamtypes.EpochCommit{}, false, err
	}
	return v.app.StreamKeeper.GetEpochCommit(qctx, addr, epoch)
}

// Account returns the account number and next sequence of addr, for
// signing a tx. It takes raw address bytes, as node/commit's AccountReader
// does (the committer holds its key's address, not a bech32 string). The
// error wraps sdkerrors.ErrUnknownAddress when the account does not exist
// on chain.
func (v *View) Account(ctx context.Context, addr sdk.AccAddress) (accountNumber, sequence uint64, err error) {
	if len(addr) == 0 {
		return 0, 0, errorsmod.Wrap(sdkerrors.ErrInvalidAddress, "empty address")
	}
	qctx, err := v.query(ctx)
	if err != nil {
		return 0, 0, err
	}
	acc, err := v.app.AccountKeeper.Accounts.Get(qctx, addr)
	if errors.Is(err, collections.ErrNotFound) {
		return 0, 0, errorsmod.Wrapf(sdkerrors.ErrUnknownAddress, "account %s does not exist on chain", addr)
	}
	if err != nil {
		return 0, 0, err
	}
	return acc.GetAccountNumber(), acc.GetSequence(), nil
}

func (v *View) nodeAddr(node string) (sdk.AccAddress, error) {
	bz, err := v.app.StreamKeeper.AddressCodec().StringToBytes(node)
	if err != nil {
		return nil, errorsmod.Wrapf(streamtypes.ErrInvalidAddress, "node %q: %v", node, err)
	}
	return bz, nil
}

// MaxReadingsPerEpoch is x/stream's max_readings_per_epoch param: the
// committer never closes a larger epoch (the chain would refuse it forever).
func (v *View) MaxReadingsPerEpoch(ctx context.Context) (uint64, error) {
	qctx, err := v.query(ctx)
	if err != nil {
		return 0, err
	}
	p, err := v.app.StreamKeeper.GetParams(qctx)
	if err != nil {
		return 0, err
	}
	return p.MaxReadingsPerEpoch, nil
}

// Retention is a stream's retention_seconds (0 = keep raw readings forever).
func (v *View) Retention(ctx context.Context, streamID string) (uint64, error) {
	s, err := v.Stream(ctx, streamID)
	if err != nil {
		return 0, err
	}
	return s.RetentionSeconds, nil
}
