package types_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/x/access/types"
)

// validGenesis has one of everything, referencing each other.
func validGenesis() types.GenesisState {
	admin, alice := addr("admin"), addr("alice")
	exp := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	return types.GenesisState{
		Roles: []types.Role{
			{Name: "ops", Actions: []string{"read", "write"}, Creator: admin},
			{Name: "viewers", Actions: []string{"read"}, Creator: admin},
		},
		RoleMembers: []types.RoleMember{
			{Role: "ops", Member: "account:" + alice},
			{Role: "ops", Member: "device:cam-1"},
			{Role: "viewers", Member: "account:" + alice},
		},
		NamespaceAdmins: []types.NamespaceAdmin{{Namespace: "stream", Admin: admin}},
		Grants: []types.Grant{
			{Id: 1, Subject: "account:" + alice, Resource: "stream/pm25", Actions: []string{"read"}, Granter: admin},
			{Id: 2, Subject: "role:ops", Resource: "device/*", Granter: admin, ExpiresAt: &exp},
			{Id: 4, Subject: "device:cam-1", Resource: "stream/cam-1", Actions: []string{"*", "write"}, Granter: admin},
		},
		NextGrantId: 5,
	}
}

func TestDefaultGenesisValid(t *testing.T) {
	gs := types.DefaultGenesis()
	require.NoError(t, gs.Validate(ac))
	require.Equal(t, uint64(1), gs.NextGrantId)
	require.Empty(t, gs.Grants)
}

func TestGenesisValidate(t *testing.T) {
	alice := addr("alice")
	grantN := func(n int, subject string) []types.Grant {
		out := make([]types.Grant, n)
		for i := range out {
			out[i] = types.Grant{
				Id: uint64(i + 1), Subject: subject, Resource: fmt.Sprintf("stream/s%d", i),
				Actions: []string{"read"}, Granter: addr("admin"),
			}
		}
		return out
	}
	cases := []struct {
		name   string
		mutate func(*types.GenesisState)
		errIs  error // nil: valid
		errHas string
	}{
		{"valid", func(*types.GenesisState) {}, nil, ""},
		{"empty with next 1", func(g *types.GenesisState) { *g = types.GenesisState{NextGrantId: 1} }, nil, ""},
		{"grant to role without actions", func(g *types.GenesisState) { g.Grants[1].Actions = nil }, nil, ""},
		{"exactly the per-subject limit", func(g *types.GenesisState) {
			g.Grants = grantN(types.MaxGrantsPerSubject, "account:"+alice)
			g.NextGrantId = types.MaxGrantsPerSubject + 1
		}, nil, ""},

		{"duplicate role", func(g *types.GenesisState) { g.Roles = append(g.Roles, g.Roles[0]) }, types.ErrInvalidGenesis, "duplicate role"},
		{"bad role name", func(g *types.GenesisState) { g.Roles[0].Name = "Ops" }, types.ErrInvalidGenesis, "role"},
		{"role without actions", func(g *types.GenesisState) { g.Roles[1].Actions = nil }, types.ErrInvalidGenesis, "at least one action"},
		{"role actions unsorted", func(g *types.GenesisState) { g.Roles[0].Actions = []string{"write", "read"} }, types.ErrInvalidGenesis, "sorted"},
		{"role bad creator", func(g *types.GenesisState) { g.Roles[0].Creator = "cosmos1xyz" }, types.ErrInvalidGenesis, "creator"},
		{"duplicate member", func(g *types.GenesisState) { g.RoleMembers = append(g.RoleMembers, g.RoleMembers[0]) }, types.ErrInvalidGenesis, "duplicate member"},
		{"member of unknown role", func(g *types.GenesisState) { g.RoleMembers[0].Role = "ghost" }, types.ErrInvalidGenesis, "unknown role"},
		{"member not canonical (bare)", func(g *types.GenesisState) { g.RoleMembers[0].Member = alice }, types.ErrInvalidGenesis, "not canonical"},
		{"member not canonical (upper)", func(g *types.GenesisState) {
			g.RoleMembers[0].Member = "account:" + strings.ToUpper(alice)
		}, types.ErrInvalidGenesis, "not canonical"},
		{"member is a role", func(g *types.GenesisState) { g.RoleMembers[0].Member = "role:viewers" }, types.ErrInvalidGenesis, "roles cannot be members"},
		{"member invalid", func(g *types.GenesisState) { g.RoleMembers[0].Member = "device:" }, types.ErrInvalidGenesis, ""},
		{"duplicate admin", func(g *types.GenesisState) {
			g.NamespaceAdmins = append(g.NamespaceAdmins, g.NamespaceAdmins[0])
		}, types.ErrInvalidGenesis, "duplicate admin"},
		{"admin bad namespace", func(g *types.GenesisState) { g.NamespaceAdmins[0].Namespace = "Stream" }, types.ErrInvalidGenesis, "namespace"},
		{"admin bad address", func(g *types.GenesisState) { g.NamespaceAdmins[0].Admin = "nope" }, types.ErrInvalidGenesis, "admin"},
		{"admin not canonical", func(g *types.GenesisState) {
			g.NamespaceAdmins[0].Admin = strings.ToUpper(g.NamespaceAdmins[0].Admin)
		}, types.ErrInvalidGenesis, "not canonical"},
		{"same admin in two spellings", func(g *types.GenesisState) {
			g.NamespaceAdmins = append(g.NamespaceAdmins, types.NamespaceAdmin{Namespace: "stream", Admin: strings.ToUpper(addr("admin"))})
		}, types.ErrInvalidGenesis, "not canonical"},
		{"role creator not canonical", func(g *types.GenesisState) { g.Roles[0].Creator = strings.ToUpper(g.Roles[0].Creator) }, types.ErrInvalidGenesis, "not canonical"},
		{"grant granter not canonical", func(g *types.GenesisState) { g.Grants[0].Granter = strings.ToUpper(g.Grants[0].Granter) }, types.ErrInvalidGenesis, "not canonical"},
		{"next_grant_id 0", func(g *types.GenesisState) { g.NextGrantId = 0 }, types.ErrInvalidGenesis, "next_grant_id"},
		{"grant id 0", func(g *types.GenesisState) { g.Grants[0].Id = 0 }, types.ErrInvalidGenesis, "grant id 0"},
		{"grant id equal to next", func(g *types.GenesisState) { g.Grants[2].Id = 5 }, types.ErrInvalidGenesis, "next_grant_id=5"},
		{"grant id above next", func(g *types.GenesisState) { g.NextGrantId = 3 }, types.ErrInvalidGenesis, "grant id 4"},
		{"duplicate grant id", func(g *types.GenesisState) { g.Grants[2].Id = 1 }, types.ErrInvalidGenesis, "duplicate grant id 1"},
		{"grant to unknown role", func(g *types.GenesisState) { g.Grants[1].Subject = "role:ghost" }, types.ErrInvalidGenesis, "unknown role"},
		{"grant subject bare bech32", func(g *types.GenesisState) { g.Grants[0].Subject = alice }, types.ErrInvalidGenesis, "not canonical"},
		{"grant subject upper", func(g *types.GenesisState) {
			g.Grants[0].Subject = "account:" + strings.ToUpper(alice)
		}, types.ErrInvalidGenesis, "not canonical"},
		{"grant subject invalid", func(g *types.GenesisState) { g.Grants[0].Subject = "group:x" }, types.ErrInvalidGenesis, ""},
		{"grant to account without actions", func(g *types.GenesisState) { g.Grants[0].Actions = nil }, types.ErrInvalidGenesis, "needs actions"},
		{"grant to device without actions", func(g *types.GenesisState) { g.Grants[2].Actions = []string{} }, types.ErrInvalidGenesis, "needs actions"},
		{"grant bad pattern", func(g *types.GenesisState) { g.Grants[0].Resource = "stream/a*b" }, types.ErrInvalidGenesis, ""},
		{"grant bad action", func(g *types.GenesisState) { g.Grants[0].Actions = []string{"Read"} }, types.ErrInvalidGenesis, ""},
		{"grant duplicate actions", func(g *types.GenesisState) { g.Grants[0].Actions = []string{"read", "read"} }, types.ErrInvalidGenesis, "sorted and unique"},
		{"grant bad granter", func(g *types.GenesisState) { g.Grants[0].Granter = "" }, types.ErrInvalidGenesis, "granter"},
		{"per-subject limit exceeded", func(g *types.GenesisState) {
			g.Grants = grantN(types.MaxGrantsPerSubject+1, "account:"+alice)
			g.NextGrantId = types.MaxGrantsPerSubject + 2
		}, types.ErrInvalidGenesis, "more than 128 grants"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := validGenesis()
			tc.mutate(&g)
			err := g.Validate(ac)
			if tc.errIs == nil {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, tc.errIs)
			require.ErrorContains(t, err, tc.errHas)
		})
	}
}
