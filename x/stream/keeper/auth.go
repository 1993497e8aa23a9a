package keeper

import (
	"context"
	"errors"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	devicetypes "github.com/trustedge/trustedge/x/device/types"
	edgetypes "github.com/trustedge/trustedge/x/edge/types"
	"github.com/trustedge/trustedge/x/stream/types"
)

// allowed asks x/access whether account (canonical bech32) may do action on
// stream id. A denial and a failed decision both refuse: fail closed.
func (k Keeper) allowed(ctx context.Context, account, action, id string) error {
	resource := types.StreamResource(id)
	d, err := k.access.Check(ctx, types.AccountSubject(account), action, resource)
	if err != nil {
		return errorsmod.Wrapf(types.ErrUnauthorized, "%s %s: no decision: %v", action, resource, err)
	}
	if !d.Allowed {
		return errorsmod.Wrapf(types.ErrUnauthorized, "%s may not %s %s", account, action, resource)
	}
	return nil
}

// usableDevice returns device id if it exists, is ACTIVE and is owned by
// owner (canonical bech32): only the owner of a working device opens a
// stream for it.
func (k Keeper) usableDevice(ctx context.Context, id, owner string) (devicetypes.Device, error) {
	d, err := k.devices.GetDevice(ctx, id)
	if errors.Is(err, devicetypes.ErrDeviceNotFound) {
		return d, errorsmod.Wrapf(types.ErrDeviceNotUsable, "device %q is not registered", id)
	}
	if err != nil {
		return d, err
	}
	if d.Status != devicetypes.DEVICE_STATUS_ACTIVE {
		return d, errorsmod.Wrapf(types.ErrDeviceNotUsable, "device %q is %s", id, d.Status)
	}
	if d.Owner != owner {
		return d, errorsmod.Wrapf(types.ErrUnauthorized, "device %q is owned by %s", id, d.Owner)
	}
	return d, nil
}

// committingNode resolves the sender of an epoch commitment to the node it
// commits for (the sender's own node, or the node that named it committer
// with x/edge MsgSetCommitter) and fails unless that node is registered and
// not jailed. A STALE node (missed heartbeats) may still commit: it is still
// ingesting, and its data must not be lost because its heartbeat tx was late.
// node (bech32, may be empty) is the node the sender says it commits for.
func (k Keeper) committingNode(ctx context.Context, sender sdk.AccAddress, senderStr, node string) (sdk.AccAddress, string, error) {
	operator, n, found, err := k.edge.NodeOfSender(ctx, sender)
	if err != nil {
		return nil, "", err
	}
	if !found {
		return nil, "", errorsmod.Wrapf(types.ErrNotOperator, "%s is neither an edge node operator nor a node's committer", senderStr)
	}
	operatorStr := k.addrString(operator)
	if node != "" {
		want, _, err := k.decodeAddress("node", node)
		if err != nil {
			return nil, "", err
		}
		if !want.Equals(operator) {
			return nil, "", errorsmod.Wrapf(types.ErrWrongNode, "%s commits for node %s, not %s", senderStr, operatorStr, node)
		}
	}
	if n.Status == edgetypes.NODE_STATUS_JAILED {
		return nil, "", errorsmod.Wrapf(types.ErrNodeJailed, "%s", operatorStr)
	}
	return operator, operatorStr, nil
}

// isOwnerOrAuthority reports whether signer (canonical bech32) owns s or is
// the consortium authority.
func (k Keeper) isOwnerOrAuthority(ctx context.Context, s types.Stream, signer string) (bool, error) {
	if signer == s.Owner {
		return true, nil
	}
	return k.edge.IsAuthority(ctx, signer)
}
