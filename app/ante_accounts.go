package app

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/x/auth/ante"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
)

// The SDK's ante decorators each read the signer accounts and the x/auth
// params again: a bank send decodes its sender's account (an Any-packed
// proto) about seven times per ante run and the params four times. In
// profiles of a loaded validator, GetAccount was 11% of the CPU, nearly
// all of it decoding. The ante chain here reads them once per run:
// AccountMemoDecorator, first in the chain, puts an empty memo in the
// context; the decorators get memoAccountKeeper, which answers from the
// memo and writes through to the store on SetAccount.
//
// Consequences, on purpose: a memo hit charges no read gas, so a tx's gas
// is lower than with the stock SDK chain — identically on every node and
// in simulation, since the decorators run in a fixed order. Scope is one
// ante run of one tx: nothing outlives it, and only the ante decorators
// see the memo (the message handlers use the plain account keeper).

// anteAccountsKey is the context key of the memo.
type anteAccountsKey struct{}

// anteAccounts is what one ante run has read.
type anteAccounts struct {
	accounts map[string]sdk.AccountI
	params   *authtypes.Params
}

// AccountMemoDecorator starts a fresh memo for this ante run.
type AccountMemoDecorator struct{}

// AnteHandle implements sdk.AnteDecorator. The memo is dropped from the
// context the chain returns: baseapp runs the messages (and would run a
// post handler) on that context, after which the memo would be stale.
func (AccountMemoDecorator) AnteHandle(ctx sdk.Context, tx sdk.Tx, simulate bool, next sdk.AnteHandler) (sdk.Context, error) {
	memo := &anteAccounts{accounts: make(map[string]sdk.AccountI, 2)}
	newCtx, err := next(ctx.WithValue(anteAccountsKey{}, memo), tx, simulate)
	if newCtx.Context() == nil { // a zero Context (some error paths) has no values
		return newCtx, err
	}
	return newCtx.WithValue(anteAccountsKey{}, (*anteAccounts)(nil)), err
}

// memoAccountKeeper is the account keeper the ante decorators use.
type memoAccountKeeper struct {
	ante.AccountKeeper
}

func memoOf(ctx context.Context) *anteAccounts {
	m, _ := ctx.Value(anteAccountsKey{}).(*anteAccounts)
	return m
}

// GetAccount answers from the memo after the first read of addr. A
// missing account is not remembered (the decorators then fail the tx).
// Callers may mutate the account they get (SetPubKey, IncrementSequence do,
// then call SetAccount): later readers in the run see what was stored.
func (k memoAccountKeeper) GetAccount(ctx context.Context, addr sdk.AccAddress) sdk.AccountI {
	m := memoOf(ctx)
	if m == nil {
		return k.AccountKeeper.GetAccount(ctx, addr)
	}
	if acc, ok := m.accounts[string(addr)]; ok {
		return acc
	}
	acc := k.AccountKeeper.GetAccount(ctx, addr)
	if acc != nil {
		m.accounts[string(addr)] = acc
	}
	return acc
}

// SetAccount writes through and keeps the memo current.
func (k memoAccountKeeper) SetAccount(ctx context.Context, acc sdk.AccountI) {
	k.AccountKeeper.SetAccount(ctx, acc)
	if m := memoOf(ctx); m != nil {
		m.accounts[string(acc.GetAddress())] = acc
	}
}

// GetParams reads the x/auth params once per run: no tx changes them
// during its own ante run.
func (k memoAccountKeeper) GetParams(ctx context.Context) authtypes.Params {
	m := memoOf(ctx)
	if m == nil {
		return k.AccountKeeper.GetParams(ctx)
	}
	if m.params == nil {
		p := k.AccountKeeper.GetParams(ctx)
		m.params = &p
	}
	return *m.params
}
