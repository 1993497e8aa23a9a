package types_test

import (
	"math"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keys/ed25519"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"

	edgetestutil "github.com/trustedge/trustedge/x/edge/testutil"
	"github.com/trustedge/trustedge/x/edge/types"
)

func TestValidatePower(t *testing.T) {
	cases := []struct {
		power     int64
		allowZero bool
		ok        bool
	}{
		{1, false, true},
		{types.MaxPower, false, true},
		{types.MaxPower, true, true},
		{0, true, true},
		{0, false, false},
		{-1, true, false},
		{math.MinInt64, true, false},
		{types.MaxPower + 1, true, false},
		{math.MaxInt64, false, false},
	}
	for _, tc := range cases {
		err := types.ValidatePower(tc.power, tc.allowZero)
		if tc.ok {
			require.NoError(t, err, "power %d allowZero %v", tc.power, tc.allowZero)
		} else {
			require.ErrorIs(t, err, types.ErrInvalidPower, "power %d allowZero %v", tc.power, tc.allowZero)
		}
	}
}

func TestMaxPowerLeavesRoomForCometBFT(t *testing.T) {
	// CometBFT's MaxTotalVotingPower is MaxInt64/8; 10 000 nodes at MaxPower
	// must stay below it.
	require.Less(t, types.MaxPower*10_000, int64(math.MaxInt64/8))
}

func TestValidateDescription(t *testing.T) {
	ep := edgetestutil.ValidEndpoints()
	cases := []struct {
		name    string
		moniker string
		region  string
		ep      func(e *types.Endpoints)
		eth     string
		ok      bool
	}{
		{"valid", "m", "eu", nil, edgetestutil.ValidEthAddress, true},
		{"everything optional empty", "m", "", func(e *types.Endpoints) { *e = types.Endpoints{} }, "", true},
		{"moniker at limit", strings.Repeat("m", types.MaxMonikerLen), strings.Repeat("r", types.MaxRegionLen), nil, "", true},
		{"lowercase eth", "m", "", nil, strings.ToLower(edgetestutil.ValidEthAddress), true},
		{"http gateway", "m", "", func(e *types.Endpoints) { e.Gateway = "http://10.0.0.1:8080" }, "", true},
		{"max multiaddrs", "m", "", func(e *types.Endpoints) {
			e.Multiaddrs = strings.Split(strings.Repeat("/a,", types.MaxMultiaddrs-1)+"/a", ",")
		}, "", true},
		{"multiaddr at limit", "m", "", func(e *types.Endpoints) { e.Multiaddrs = []string{"/" + strings.Repeat("a", types.MaxMultiaddrLen-1)} }, "", true},
		{"moniker empty", "", "", nil, "", false},
		{"moniker too long", strings.Repeat("m", types.MaxMonikerLen+1), "", nil, "", false},
		{"moniker long in bytes", strings.Repeat("é", 33), "", nil, "", false},
		{"region too long", "m", strings.Repeat("r", types.MaxRegionLen+1), nil, "", false},
		{"peer id space", "m", "", func(e *types.Endpoints) { e.PeerId = "a b" }, "", false},
		{"peer id tab", "m", "", func(e *types.Endpoints) { e.PeerId = "a\tb" }, "", false},
		{"peer id newline", "m", "", func(e *types.Endpoints) { e.PeerId = "a\nb" }, "", false},
		{"peer id too long", "m", "", func(e *types.Endpoints) { e.PeerId = strings.Repeat("p", types.MaxPeerIDLen+1) }, "", false},
		{"too many multiaddrs", "m", "", func(e *types.Endpoints) {
			e.Multiaddrs = strings.Split(strings.Repeat("/a,", types.MaxMultiaddrs)+"/a", ",")
		}, "", false},
		{"multiaddr relative", "m", "", func(e *types.Endpoints) { e.Multiaddrs = []string{"ip4/1.2.3.4"} }, "", false},
		{"multiaddr empty", "m", "", func(e *types.Endpoints) { e.Multiaddrs = []string{"/ok", ""} }, "", false},
		{"multiaddr too long", "m", "", func(e *types.Endpoints) { e.Multiaddrs = []string{"/" + strings.Repeat("a", types.MaxMultiaddrLen)} }, "", false},
		{"gateway ws", "m", "", func(e *types.Endpoints) { e.Gateway = "ws://h" }, "", false},
		{"gateway no scheme", "m", "", func(e *types.Endpoints) { e.Gateway = "example.com/x" }, "", false},
		{"gateway no host", "m", "", func(e *types.Endpoints) { e.Gateway = "https:///x" }, "", false},
		{"gateway unparsable", "m", "", func(e *types.Endpoints) { e.Gateway = "http://[::1" }, "", false},
		{"gateway too long", "m", "", func(e *types.Endpoints) { e.Gateway = "https://h/" + strings.Repeat("x", types.MaxGatewayURLLen) }, "", false},
		{"eth no prefix", "m", "", nil, "0X" + edgetestutil.ValidEthAddress[2:], false},
		{"eth 41 chars", "m", "", nil, edgetestutil.ValidEthAddress[:41], false},
		{"eth 43 chars", "m", "", nil, edgetestutil.ValidEthAddress + "0", false},
		{"eth not hex", "m", "", nil, "0x" + strings.Repeat("z", 40), false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := ep
			e.Multiaddrs = append([]string(nil), ep.Multiaddrs...)
			if tc.ep != nil {
				tc.ep(&e)
			}
			err := types.ValidateDescription(tc.moniker, tc.region, e, tc.eth)
			if tc.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, types.ErrInvalidNode)
			}
		})
	}
}

func TestConsPubKey(t *testing.T) {
	edPk := ed25519.GenPrivKey().PubKey()
	good := edgetestutil.PubKeyAny(t, edPk)
	notAKey, err := codectypes.NewAnyWithValue(&types.Params{MaxPowerChangeBps: 1})
	require.NoError(t, err)
	cases := []struct {
		name string
		any  *codectypes.Any
		ok   bool
	}{
		{"ed25519", good, true},
		{"nil", nil, false},
		{"empty any", &codectypes.Any{}, false},
		{"not unpacked", &codectypes.Any{TypeUrl: good.TypeUrl, Value: good.Value}, false},
		{"secp256k1", edgetestutil.PubKeyAny(t, secp256k1.GenPrivKey().PubKey()), false},
		{"ed25519 empty", edgetestutil.PubKeyAny(t, &ed25519.PubKey{}), false},
		{"ed25519 short", edgetestutil.PubKeyAny(t, &ed25519.PubKey{Key: make([]byte, 31)}), false},
		{"ed25519 long", edgetestutil.PubKeyAny(t, &ed25519.PubKey{Key: make([]byte, 64)}), false},
		{"not a key", notAKey, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pk, err := types.ConsPubKey(tc.any)
			if tc.ok {
				require.NoError(t, err)
				require.True(t, pk.Equals(edPk))
				return
			}
			require.ErrorIs(t, err, types.ErrInvalidPubKey)
			require.Nil(t, pk)
		})
	}
}

func TestIsBonded(t *testing.T) {
	n := types.EdgeNode{Power: 1, Status: types.NODE_STATUS_ACTIVE}
	require.True(t, n.IsBonded())
	n.Status = types.NODE_STATUS_STALE
	require.True(t, n.IsBonded(), "stale nodes keep validating")
	n.Status = types.NODE_STATUS_JAILED
	require.False(t, n.IsBonded())
	n = types.EdgeNode{Power: 0, Status: types.NODE_STATUS_ACTIVE}
	require.False(t, n.IsBonded())
}

func TestParamsValidate(t *testing.T) {
	require.NoError(t, types.DefaultParams().Validate())
	require.Equal(t, uint32(types.DefaultMaxPowerChangeBps), types.DefaultParams().MaxPowerChangeBps)
	require.False(t, types.DefaultParams().BootstrapMode)
	cases := []struct {
		p  types.Params
		ok bool
	}{
		{types.Params{MaxPowerChangeBps: 1}, true},
		{types.Params{MaxPowerChangeBps: types.MaxPowerChangeBpsLimit, BootstrapMode: true, HeartbeatTimeoutBlocks: math.MaxInt64}, true},
		{types.Params{MaxPowerChangeBps: 0}, false},
		{types.Params{MaxPowerChangeBps: types.MaxPowerChangeBpsLimit + 1}, false},
		{types.Params{MaxPowerChangeBps: math.MaxUint32}, false},
		{types.Params{MaxPowerChangeBps: 100, HeartbeatTimeoutBlocks: -1}, false},
	}
	for _, tc := range cases {
		err := tc.p.Validate()
		if tc.ok {
			require.NoError(t, err, "%+v", tc.p)
		} else {
			require.ErrorIs(t, err, types.ErrInvalidParams, "%+v", tc.p)
		}
	}
	// The cap must stay below 1/3 of the power.
	require.Less(t, types.MaxPowerChangeBpsLimit*3, 10_000)
}

// FuzzValidateDescription must never panic, must only ever fail with
// ErrInvalidNode, and must only accept descriptions within the limits.
//
//	go test -tags pebbledb -run '^$' -fuzz FuzzValidateDescription ./x/edge/types
func FuzzValidateDescription(f *testing.F) {
	ep := edgetestutil.ValidEndpoints()
	f.Add("m", "eu", ep.PeerId, ep.Multiaddrs[0], uint8(1), ep.Gateway, edgetestutil.ValidEthAddress)
	f.Add("", "", "", "", uint8(0), "", "")
	f.Add(strings.Repeat("m", 65), "", "a b", "ip4", uint8(9), "ftp://x", "0x1")
	f.Add("m", "", "", "/", uint8(8), "http://[::1", "0x"+strings.Repeat("G", 40))
	f.Add("m", "", "", "/x", uint8(2), "https://user:pw@h:99999/%41?q#f", "0x"+strings.Repeat("0", 40))
	f.Add("\x00", "\xff", "/", "/\x00", uint8(3), "http://\x00", "0x\xff")
	f.Add("m", "", "", "/x", uint8(1), "https:"+strings.Repeat("/", 300), "")

	f.Fuzz(func(t *testing.T, moniker, region, peerID, multiaddr string, n uint8, gateway, eth string) {
		e := types.Endpoints{PeerId: peerID, Gateway: gateway}
		for range n % 12 {
			e.Multiaddrs = append(e.Multiaddrs, multiaddr)
		}
		err := types.ValidateDescription(moniker, region, e, eth)
		if err != nil {
			require.ErrorIs(t, err, types.ErrInvalidNode)
			return
		}
		require.NotEmpty(t, moniker)
		require.LessOrEqual(t, len(moniker), types.MaxMonikerLen)
		require.LessOrEqual(t, len(region), types.MaxRegionLen)
		require.LessOrEqual(t, len(peerID), types.MaxPeerIDLen)
		require.NotContains(t, peerID, "/")
		require.LessOrEqual(t, len(e.Multiaddrs), types.MaxMultiaddrs)
		for _, ma := range e.Multiaddrs {
			require.True(t, strings.HasPrefix(ma, "/"))
			require.LessOrEqual(t, len(ma), types.MaxMultiaddrLen)
		}
		if gateway != "" {
			require.LessOrEqual(t, len(gateway), types.MaxGatewayURLLen)
			u, err := url.Parse(gateway)
			require.NoError(t, err)
			require.Contains(t, []string{"http", "https"}, u.Scheme)
			require.NotEmpty(t, u.Host)
		}
		if eth != "" {
			require.Len(t, eth, 42)
			require.True(t, strings.HasPrefix(eth, "0x"))
		}
	})
}
