package app

import (
	"context"

	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"

	accesstypes "github.com/trustedge/trustedge/x/access/types"
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
}

// PermissionedSenderDecorator admits a tx only if every signer is the
// consortium authority, an edge operator, a node's committer (the account
// its data plane signs epoch commitments with), or holds a live grant. It runs
// before fees are deducted, so a refused sender pays nothing and its tx never
// reaches the mempool. It runs in DeliverTx too: a proposer cannot slip such
// a tx into a block.
type PermissionedSenderDecorator struct {
	edge   SenderGateEdge
	access SenderGateAccess
	codec  address.Codec
}

// NewPermissionedSenderDecorator builds the gate.
func NewPermissionedSenderDecorator(edge SenderGateEdge, access SenderGateAccess, ac address.Codec) PermissionedSenderDecorator {
	return PermissionedSenderDecorator{edge: edge, access: access, codec: ac}
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
	for _, signer := range signers {
		if err := d.admit(ctx, signer); err != nil {
			return ctx, err
		}
	}
	return next(ctx, tx, simulate)
}

// admit runs on every CheckTx and DeliverTx. Each test is one point read
// (x/access keeps a per-subject grant horizon for this); grant holders, the
// bulk of senders, are tested first.
func (d PermissionedSenderDecorator) admit(ctx sdk.Context, signer sdk.AccAddress) error {
	if ok, err := d.access.HasLiveGrant(ctx, signer); err != nil || ok {
		return err
	}
	if ok, err := d.edge.IsOperator(ctx, signer); err != nil || ok {
		return err
	}
	if ok, err := d.edge.IsCommitter(ctx, signer); err != nil || ok {
		return err
	}
	if ok, err := d.edge.IsAuthorityAddr(ctx, signer); err != nil || ok {
		return err
	}
	bech, err := d.codec.BytesToString(signer)
	if err != nil {
		return err
	}
	return errorsmod.Wrapf(accesstypes.ErrSenderNotPermitted, "%s", bech)
}
