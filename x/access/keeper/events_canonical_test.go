package keeper_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/x/access/types"
)

// README §5: "Addresses are stored and reported in canonical (lower-case)
// bech32, however the signer spelled them." EventGranted does this for the
// granter, but the `by` of the other change events is the raw signer string.
func TestEventByIsCanonical(t *testing.T) {
	f := newFixture(t)
	admin := f.addr("admin")
	upAdmin, upAuth := strings.ToUpper(admin), strings.ToUpper(f.authority)

	// SetNamespaceAdmin signed by the authority spelled in upper case.
	f.resetEvents()
	_, err := f.msg.SetNamespaceAdmin(f.ctx, &types.MsgSetNamespaceAdmin{
		Authority: upAuth, Namespace: "stream", Admin: admin, Enabled: true,
	})
	require.NoError(t, err)
	evA, _ := onlyEvent[*types.EventNamespaceAdminSet](f)
	assert.Equal(t, f.authority, evA.By, "EventNamespaceAdminSet.by")

	// Role changes by an admin spelled in upper case.
	f.mustCreateRole(admin, "ops", "read")
	f.resetEvents()
	require.NoError(t, f.addMember(upAdmin, "ops", f.acct("bob")))
	evM, _ := onlyEvent[*types.EventRoleMemberAdded](f)
	assert.Equal(t, admin, evM.By, "EventRoleMemberAdded.by")

	// Revoke by an admin spelled in upper case.
	id := f.mustGrant(f.acct("alice"), "stream/a", nil, "read")
	f.resetEvents()
	_, err = f.msg.Revoke(f.ctx, &types.MsgRevoke{Sender: upAdmin, GrantId: id})
	require.NoError(t, err)
	evR, _ := onlyEvent[*types.EventRevoked](f)
	assert.Equal(t, admin, evR.By, "EventRevoked.by")
}
