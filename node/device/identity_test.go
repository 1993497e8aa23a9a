package device_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256r1"

	"github.com/trustedge/trustedge/node/device"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
)

var keyTypes = []devicetypes.KeyType{devicetypes.KEY_TYPE_ED25519, devicetypes.KEY_TYPE_SECP256K1}

// testIdentity is a device with a seed-derived key of type kt.
func testIdentity(t testing.TB, name string, kt devicetypes.KeyType) device.Identity {
	t.Helper()
	key, err := device.KeyFromSeed("test/"+name, kt)
	if err != nil {
		t.Fatal(err)
	}
	return device.Identity{DeviceID: name, StreamID: name + ".pm25", Key: key}
}

func TestKeyFromSeedIsDeterministicPerSeedAndType(t *testing.T) {
	for _, kt := range keyTypes {
		a, err := device.KeyFromSeed("sim-pm25-0", kt)
		if err != nil {
			t.Fatal(err)
		}
		again, _ := device.KeyFromSeed("sim-pm25-0", kt)
		other, _ := device.KeyFromSeed("sim-pm25-1", kt)
		if !bytes.Equal(a.Bytes(), again.Bytes()) {
			t.Fatalf("%s: same seed gave two keys", kt)
		}
		if bytes.Equal(a.Bytes(), other.Bytes()) {
			t.Fatalf("%s: two seeds gave one key", kt)
		}
		if got := device.KeyTypeOf(a); got != kt {
			t.Fatalf("KeyTypeOf = %s, want %s", got, kt)
		}
		// The public key is one x/device accepts for registration.
		id := device.Identity{DeviceID: "d", StreamID: "d.s", Key: a}
		pk, err := id.PubKey()
		if err != nil {
			t.Fatalf("%s: %v", kt, err)
		}
		if pk.Type != kt || !bytes.Equal(pk.Key, a.PubKey().Bytes()) {
			t.Fatalf("PubKey = %v", pk)
		}
	}
	ed, _ := device.KeyFromSeed("x", devicetypes.KEY_TYPE_ED25519)
	k1, _ := device.KeyFromSeed("x", devicetypes.KEY_TYPE_SECP256K1)
	if bytes.Equal(ed.PubKey().Bytes(), k1.PubKey().Bytes()) {
		t.Fatal("key types share a public key")
	}
}

func TestKeyFromSeedRejectsBadInput(t *testing.T) {
	if _, err := device.KeyFromSeed("", devicetypes.KEY_TYPE_ED25519); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("empty seed: %v", err)
	}
	if _, err := device.KeyFromSeed("s", devicetypes.KEY_TYPE_UNSPECIFIED); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Fatalf("unspecified type: %v", err)
	}
}

func TestIdentityValidate(t *testing.T) {
	good := testIdentity(t, "dev-1", devicetypes.KEY_TYPE_ED25519)
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	r1, err := secp256r1.GenPrivKey()
	if err != nil {
		t.Fatal(err)
	}
	if got := (device.Identity{Key: r1}).KeyType(); got != devicetypes.KEY_TYPE_UNSPECIFIED {
		t.Fatalf("secp256r1 maps to %s", got)
	}
	cases := map[string]struct {
		mut  func(*device.Identity)
		want string
	}{
		"empty device":  {func(i *device.Identity) { i.DeviceID = "" }, "device id"},
		"slash stream":  {func(i *device.Identity) { i.StreamID = "a/b" }, "stream id"},
		"long stream":   {func(i *device.Identity) { i.StreamID = strings.Repeat("s", 65) }, "stream id"},
		"no key":        {func(i *device.Identity) { i.Key = nil }, "missing"},
		"secp256r1 key": {func(i *device.Identity) { i.Key = r1 }, "not supported"},
	}
	for name, tc := range cases {
		id := good
		tc.mut(&id)
		err := id.Validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", name, err, tc.want)
		}
	}
}
