package device

import (
	autocliv1 "cosmossdk.io/api/cosmos/autocli/v1"
)

// Service names as declared in proto/trustedge/device/v1.
const (
	msgServiceName   = "trustedge.device.v1.Msg"
	queryServiceName = "trustedge.device.v1.Query"
)

// AutoCLIOptions describes the `trustedged tx device …` and `query device …`
// commands. Enum flags take the value name without its prefix, kebab-cased
// by autocli (--key-type ed25519|secp256-k1, --kind collector,
// --protocols nb-iot --protocols lora); bytes flags and arguments take hex,
// base64 or a file path; --metadata takes one JSON entry per flag.
func (am AppModule) AutoCLIOptions() *autocliv1.ModuleOptions {
	return &autocliv1.ModuleOptions{
		Query: &autocliv1.ServiceCommandDescriptor{
			Service: queryServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod:      "Device",
					Use:            "show [device-id]",
					Short:          "Show one device",
					Example:        "trustedged query device show sensor-0001",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "device_id"}},
				},
				{
					RpcMethod:      "DevicesByOwner",
					Use:            "by-owner [owner]",
					Short:          "List an owner's devices (paginated)",
					Example:        "trustedged query device by-owner edge1… --limit 50",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "owner"}},
				},
				{
					RpcMethod:      "DevicesByNode",
					Use:            "by-node [home-node]",
					Short:          "List the devices homed on an edge node (paginated)",
					Example:        "trustedged query device by-node edge1… --limit 50",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "home_node"}},
				},
				{
					RpcMethod:      "KeyHistory",
					Use:            "key-history [device-id]",
					Short:          "List a device's retired keys and the heights they were valid for",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "device_id"}},
				},
				{
					RpcMethod: "Verify",
					Use:       "verify [device-id] [message] [signature]",
					Short:     "Check a device signature against the key valid at a height (0 = now)",
					Long: "message and signature are hex, base64 or a file path. ed25519 keys sign the message itself; " +
						"secp256k1 keys sign sha256(message) (64-byte R||S, low S), as cosmos-sdk keys do.",
					Example: "trustedged query device verify sensor-0001 ./reading.bin ./reading.sig --at-height 1200",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{
						{ProtoField: "device_id"}, {ProtoField: "message"}, {ProtoField: "signature"},
					},
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"at_height": {Usage: "check against the key that was valid at this height (0: the queried height)"},
					},
				},
			},
		},
		Tx: &autocliv1.ServiceCommandDescriptor{
			Service: msgServiceName,
			RpcCommandOptions: []*autocliv1.RpcCommandOptions{
				{
					RpcMethod: "RegisterDevice",
					Use:       "register [device-id] [home-node]",
					Short:     "Register a device you own (needs x/access \"register\" on device/<id>)",
					Long: "Register a device. --key-type is ed25519 (32-byte key) or secp256-k1 (33-byte compressed key); " +
						"--pubkey is the key in base64 or hex. At least one --protocols value is required; " +
						"--metadata takes up to 8 {\"key\",\"value\"} entries.",
					Example: `trustedged tx device register sensor-0001 edge1… --key-type ed25519 --pubkey <base64> ` +
						`--kind collector --protocols lora --protocols ble --metadata '{"key":"model","value":"th-100"}' --from owner`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "device_id"}, {ProtoField: "home_node"}},
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"pubkey":    {Usage: "the device public key, base64 or hex (32 bytes ed25519, 33 bytes compressed secp256k1)"},
						"key_type":  {Usage: "ed25519 or secp256-k1 (the key --pubkey holds)"},
						"kind":      {Usage: "collector, actuator or both"},
						"protocols": {Usage: "how it connects (repeat the flag for several)"},
						"metadata":  {Usage: `up to 8 entries, repeatable, JSON: {"key":"model","value":"th-100"}`},
					},
				},
				{
					RpcMethod: "UpdateDevice",
					Use:       "update [device-id]",
					Short:     "Replace a device's kind, protocols and metadata (owner only)",
					Example:   `trustedged tx device update sensor-0001 --kind both --protocols wifi --from owner`,
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"kind":      {Usage: "collector, actuator or both"},
						"protocols": {Usage: "how it connects (repeat the flag for several)"},
						"metadata":  {Usage: `up to 8 entries, repeatable, JSON: {"key":"model","value":"th-100"}`},
					},
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "device_id"}},
				},
				{
					RpcMethod: "RotateDeviceKey",
					Use:       "rotate-key [device-id] [new-pubkey] [old-key-signature]",
					Short:     "Replace a device key (owner; the current device key signs the rotation)",
					Long: "old-key-signature is the current device key's signature over " +
						"sha256(\"trustedge/device/rotate/v1\" || chain_id || 0x00 || device_id || 0x00 || uint64_be(key_version) || new_key_type || new_pubkey); " +
						"see x/device/README.md and types.RotationSignBytes.",
					Example: "trustedged tx device rotate-key sensor-0001 <new-pubkey-base64> <signature-hex> --new-key-type ed25519 --from owner",
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"new_key_type": {Usage: "ed25519 or secp256-k1 (the key new-pubkey holds)"},
					},
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{
						{ProtoField: "device_id"}, {ProtoField: "new_pubkey"}, {ProtoField: "old_key_signature"},
					},
				},
				{
					RpcMethod: "SuspendDevice",
					Use:       "suspend [device-id]",
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"reason": {Usage: "why (goes into the event, the audit log; not into state)"},
					},
					Short:          "Suspend an active device (owner, authority or device admin)",
					Example:        `trustedged tx device suspend sensor-0001 --reason "tamper alarm" --from ops`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "device_id"}},
				},
				{
					RpcMethod: "ResumeDevice",
					Use:       "resume [device-id]",
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"reason": {Usage: "why (goes into the event, the audit log; not into state)"},
					},
					Short:          "Make a suspended device active again (owner, authority or device admin)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "device_id"}},
				},
				{
					RpcMethod: "RevokeDevice",
					Use:       "revoke [device-id]",
					FlagOptions: map[string]*autocliv1.FlagOptions{
						"reason": {Usage: "why (goes into the event, the audit log; not into state)"},
					},
					Short:          "Revoke a device for good (owner, authority or device admin)",
					Example:        `trustedged tx device revoke sensor-0001 --reason "decommissioned" --from owner`,
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "device_id"}},
				},
				{
					RpcMethod:      "MoveDevice",
					Use:            "move [device-id] [new-home-node]",
					Short:          "Move a device to another edge node (owner only)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "device_id"}, {ProtoField: "new_home_node"}},
				},
				{
					RpcMethod:      "TransferDevice",
					Use:            "transfer [device-id] [new-owner]",
					Short:          "Hand a device to another owner (owner only)",
					PositionalArgs: []*autocliv1.PositionalArgDescriptor{{ProtoField: "device_id"}, {ProtoField: "new_owner"}},
				},
			},
		},
	}
}
