package app

import (
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	consensustypes "github.com/cosmos/cosmos-sdk/x/consensus/types"

	edgetypes "github.com/trustedge/trustedge/x/edge/types"
)

// refuseAuthoritySplit refuses an x/consensus MsgUpdateParams that names a
// new authority other than x/edge's. The consensus params hold the
// authority the SDK modules (bank, consensus, upgrade, auth) answer to;
// x/edge keeps it equal to the consortium authority, and MsgUpdateAuthority
// moves both together. Re-pointed through x/consensus alone, the chain
// would have two authorities. SDK authority messages after a handover in
// the same tx are held back by authorityCircuit.
func (d PermissionedSenderDecorator) refuseAuthoritySplit(ctx sdk.Context, msgs []sdk.Msg) error {
	for _, m := range msgs {
		up, ok := m.(*consensustypes.MsgUpdateParams)
		if !ok || up.Auth == nil {
			continue
		}
		// CometBFT copies a present Auth as is: an empty one would clear
		// the authority, and the SDK modules would fall back to an address
		// nobody can sign for.
		if up.Auth.Authority == "" {
			return errorsmod.Wrap(edgetypes.ErrInvalidAddress,
				"consensus params auth is present but empty: omit auth to keep the authority")
		}
		addr, err := d.codec.StringToBytes(up.Auth.Authority)
		if err != nil {
			return errorsmod.Wrapf(edgetypes.ErrInvalidAddress, "consensus params authority %q: %v", up.Auth.Authority, err)
		}
		// The SDK modules compare this string with their messages'
		// authority as is: another spelling of the same address (upper
		// case) would lock out every canonically spelled message.
		if canonical, err := d.codec.BytesToString(addr); err != nil {
			return err
		} else if canonical != up.Auth.Authority {
			return errorsmod.Wrapf(edgetypes.ErrInvalidAddress,
				"consensus params authority %q must be spelled canonically (%s)", up.Auth.Authority, canonical)
		}
		if same, err := d.edge.IsAuthorityAddr(ctx, addr); err != nil {
			return err
		} else if !same {
			return errorsmod.Wrapf(edgetypes.ErrUnauthorized,
				"consensus params may not name another authority (%s): hand the consortium authority over with `tx edge update-authority`, which moves x/edge and the SDK modules together",
				up.Auth.Authority)
		}
	}
	return nil
}
