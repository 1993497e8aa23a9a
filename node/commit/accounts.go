package commit

import (
	"context"
	"fmt"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
)

// AuthAccounts is an AccountReader over x/auth's Query service: a gRPC
// connection to a node, or the in-process app's query router.
type AuthAccounts struct {
	Query authtypes.QueryClient
	// Unpacker resolves the account Any (the app's interface registry).
	Unpacker codectypes.AnyUnpacker
}

// Account implements AccountReader.
func (a AuthAccounts) Account(ctx context.Context, addr sdk.AccAddress) (accNum, seq uint64, err error) {
	res, err := a.Query.Account(ctx, &authtypes.QueryAccountRequest{Address: addr.String()})
	if err != nil {
		return 0, 0, err
	}
	var acc sdk.AccountI
	if err := a.Unpacker.UnpackAny(res.Account, &acc); err != nil {
		return 0, 0, fmt.Errorf("account %s: %w", addr, err)
	}
	return acc.GetAccountNumber(), acc.GetSequence(), nil
}
