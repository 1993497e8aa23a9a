package keeper_test

import (
	"strings"
	"testing"
	"time"

	errorsmod "cosmossdk.io/errors"

	"github.com/trustedge/trustedge/x/access/types"
)

// FuzzMsgGrant feeds arbitrary strings to MsgGrant. It must never panic; it
// either succeeds, storing a valid grant that Check then honours, or fails
// with a registered x/access error and emits nothing.
//
//	go test -tags pebbledb -run '^$' -fuzz FuzzMsgGrant ./x/access/keeper
func FuzzMsgGrant(f *testing.F) {
	fx := newFixture(f)
	streamAdmin := fx.addr("stream-admin")
	fx.mustSetAdmin("stream", streamAdmin)
	fx.mustCreateRole(fx.authority, "ops", "read")
	fx.mustGrant(fx.acct("alice"), "stream/a", nil, "read")
	alice, stranger := fx.addr("alice"), fx.addr("stranger")

	f.Add(uint8(0), "", alice, "stream/a", "write", "", int32(0))
	f.Add(uint8(0), "", alice, "stream/a", "read", "", int32(0)) // duplicate
	f.Add(uint8(1), "", "role:ops", "stream/*", "", "", int32(60))
	f.Add(uint8(1), "", "device:cam-1", "device/x", "read", "", int32(0)) // wrong namespace
	f.Add(uint8(2), "", alice, "stream/b", "read", "", int32(0))          // stranger
	f.Add(uint8(3), "cosmos1xyz", alice, "stream/b", "read", "", int32(0))
	f.Add(uint8(3), alice, alice, "stream/b", "read", "", int32(0))
	f.Add(uint8(0), "", "role:ghost", "stream/*", "", "", int32(0))
	f.Add(uint8(0), "", "account:"+strings.ToUpper(alice), "task/x*", "*", "create", int32(-5))
	f.Add(uint8(0), "", "device:a:b", "node/n/", "a", "b", int32(1))
	f.Add(uint8(0), "", "device:\x00", "stream/\xff", "Ä", "*", int32(0))
	f.Add(uint8(0), "", ":", "/", "", "", int32(0))

	f.Fuzz(func(t *testing.T, who uint8, rawGranter, subject, resource, a1, a2 string, expSecs int32) {
		granter := []string{fx.authority, streamAdmin, stranger, rawGranter}[who%4]
		var actions []string
		for _, a := range []string{a1, a2} {
			if a != "" {
				actions = append(actions, a)
			}
		}
		var exp *time.Time
		if expSecs != 0 {
			exp = ptime(t0.Add(time.Duration(expSecs) * time.Second))
		}
		ctx, _ := fx.ctx.CacheContext()
		res, err := fx.msg.Grant(ctx, &types.MsgGrant{
			Granter: granter, Subject: subject, Resource: resource, Actions: actions, ExpiresAt: exp,
		})
		if err != nil {
			if space, _, _ := errorsmod.ABCIInfo(err, false); space != types.ModuleName {
				t.Fatalf("error outside x/access (codespace %q): %v", space, err)
			}
			if n := len(ctx.EventManager().Events()); n != 0 {
				t.Fatalf("%d events on a rejected grant", n)
			}
			return
		}
		g, err := fx.k.Grants.Get(ctx, res.GrantId)
		if err != nil {
			t.Fatalf("granted %d but not stored: %v", res.GrantId, err)
		}
		if err := g.Validate(fx.ac); err != nil {
			t.Fatalf("stored grant %+v is invalid: %v", g, err)
		}
		if canon, _ := types.NormalizeSubject(fx.ac, subject); canon != g.Subject {
			t.Fatalf("subject %q stored as %q", subject, g.Subject)
		}
		if exp != nil && !exp.After(t0) {
			t.Fatalf("accepted expiry %s not after block time", exp)
		}
		probe := g.Resource
		if types.IsWildcard(probe) {
			probe = strings.TrimSuffix(probe, "*") + "x"
		}
		checkActions := g.Actions
		if len(checkActions) == 0 {
			checkActions = []string{"read"} // the role's
		}
		for _, a := range checkActions {
			d, err := fx.k.Check(ctx, g.Subject, a, probe)
			if err != nil || !d.Allowed {
				t.Fatalf("grant %+v does not allow %s on %s: %+v %v", g, a, probe, d, err)
			}
		}
	})
}
