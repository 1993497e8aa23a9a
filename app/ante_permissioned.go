package app

import (
	"context"

	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"

	accesstypes "github.com/trustedge/trustedge/x/access/types"
	edgetypes "github.com/trustedge/trustedge/x/edge/types"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// SenderGateEdge is what the gate needs from x/edge.
type SenderGateEdge interface {
	IsAuthorityAddr(ctx context.Context, addr sdk.AccAddress) (bool, error)
	IsOperator(ctx context.Context, addr sdk.AccAddress) (bool, error)
	IsCommitter(ctx context.Context, addr sdk.AccAddress) (bool, error)
}

// SenderGateAccess is what the gate needs from x/access.
type SenderGateAccess interface {
	HasLiveGrant(ctx context.Context, addr sdk.AccAddress) (bool, error)
	IsAnyNamespaceAdmin(ctx context.Context, addr sdk.AccAddress) (bool, error)
}

// PermissionedSenderDecorator admits a tx only if every signer is the
// consortium authority, an edge operator, a namespace admin, or holds a
// live grant — or is a
// node's committer (the account its data plane signs with) and the tx holds
// only MsgCommitEpoch and MsgHeartbeat — or the tx holds only x/device owner
// messages (no registration) and the signer owns, not revoked, every device
// the messages it signs name (see ownsNamedDevices). It runs
// before fees are deducted, so a refused sender pays nothing and its tx never
// reaches the mempool. It runs in DeliverTx too: a proposer cannot slip such
// a tx into a block.
type PermissionedSenderDecorator struct {
	edge   SenderGateEdge
	access SenderGateAccess
	device SenderGateDevice
	codec  address.Codec
}

// NewPermissionedSenderDecorator builds the gate.
func NewPermissionedSenderDecorator(edge SenderGateEdge, access SenderGateAccess, device SenderGateDevice, ac address.Codec) PermissionedSenderDecorator {
	return PermissionedSenderDecorator{edge: edge, access: access, device: device, codec: ac}
}

// AnteHandle implements sdk.AnteDecorator.
func (d PermissionedSenderDecorator) AnteHandle(ctx sdk.Context, tx sdk.Tx, simulate bool, next sdk.AnteHandler) (sdk.Context, error) {
	sigTx, ok := tx.(authsigning.SigVerifiableTx)
	if !ok {
		return ctx, errorsmod.Wrap(accesstypes.ErrSenderNotPermitted, "tx does not declare its signers")
	}
	signers, err := sigTx.GetSigners()
	if err != nil {
		return ctx, err
	}
	if err := d.refuseAuthoritySplit(ctx, tx.GetMsgs()); err != nil {
		return ctx, err
	}
	reportsOnly := onlyNodeReports(tx.GetMsgs())
	deviceMsgs, _ := deviceOwnerMsgs(tx.GetMsgs())
	for _, signer := range signers {
		if err := d.admit(ctx, signer, reportsOnly, deviceMsgs); err != nil {
			return ctx, err
		}
	}
	return next(ctx, tx, simulate)
}

// onlyNodeReports reports whether every message is an epoch commitment or a
// heartbeat: all a node's committer is admitted for.
func onlyNodeReports(msgs []sdk.Msg) bool {
	for _, m := range msgs {
		switch m.(type) {
		case *streamtypes.MsgCommitEpoch, *edgetypes.MsgHeartbeat:
		default:
			return false
		}
	}
	return len(msgs) > 0
}

// admit runs on every CheckTx and DeliverTx. Each test is one point read
// (x/access keeps a per-subject grant horizon for this) except the
// namespace-admin test, a walk of the few admins the authority named; grant
// holders, the bulk of senders, are tested first. deviceMsgs is nil unless
// every message is an x/device owner message.
func (d PermissionedSenderDecorator) admit(ctx sdk.Context, signer sdk.AccAddress, reportsOnly bool, deviceMsgs []deviceOwnerMsg) error {
	if ok, err := d.access.HasLiveGrant(ctx, signer); err != nil || ok {
		return err
	}
	if ok, err := d.edge.IsOperator(ctx, signer); err != nil || ok {
		return err
	}
	if ok, err := d.edge.IsAuthorityAddr(ctx, signer); err != nil || ok {
		return err
	}
	// A namespace admin holds no grant of its own but must reach x/access
	// to grant, revoke and manage its roles.
	if ok, err := d.access.IsAnyNamespaceAdmin(ctx, signer); err != nil || ok {
		return err
	}
	bech, err := d.codec.BytesToString(signer)
	if err != nil {
		return err
	}
	// A committer is admitted for its node's reports (epoch commitments and
	// heartbeats) and nothing else: an operator names it without the
	// authority, so it must not become a general way into the chain.
	isCommitter, err := d.edge.IsCommitter(ctx, signer)
	if err != nil {
		return err
	}
	if isCommitter && reportsOnly {
		return nil
	}
	if ok, err := d.ownsNamedDevices(ctx, signer, deviceMsgs); err != nil || ok {
		return err
	}
	if isCommitter {
		return errorsmod.Wrapf(accesstypes.ErrSenderNotPermitted, "%s is a node's committer: it may only send MsgCommitEpoch and MsgHeartbeat", bech)
	}
	if len(deviceMsgs) > 0 {
		return errorsmod.Wrapf(accesstypes.ErrSenderNotPermitted, "%s holds no live grant and does not own every (non-revoked) device its messages name", bech)
	}
	return errorsmod.Wrapf(accesstypes.ErrSenderNotPermitted, "%s", bech)
}
