package types

import (
	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"
)

// ToRecord converts a Device into its stored form.
func (d Device) ToRecord(ac address.Codec) (DeviceRecord, error) {
	owner, err := ac.StringToBytes(d.Owner)
	if err != nil {
		return DeviceRecord{}, errorsmod.Wrapf(ErrInvalidAddress, "owner %q: %v", d.Owner, err)
	}
	node, err := ac.StringToBytes(d.HomeNode)
	if err != nil {
		return DeviceRecord{}, errorsmod.Wrapf(ErrInvalidAddress, "home node %q: %v", d.HomeNode, err)
	}
	return DeviceRecord{
		Owner:            owner,
		Pubkey:           d.Pubkey,
		KeyVersion:       d.KeyVersion,
		KeySinceHeight:   d.KeySinceHeight,
		Kind:             d.Kind,
		Protocols:        d.Protocols,
		HomeNode:         node,
		Metadata:         d.Metadata,
		Status:           d.Status,
		RegisteredHeight: d.RegisteredHeight,
		SuspendedByAdmin: d.SuspendedByAdmin,
	}, nil
}

// ToDevice converts a stored record, whose store key is id, into a Device
// with bech32 addresses.
func (r DeviceRecord) ToDevice(ac address.Codec, id string) (Device, error) {
	owner, err := ac.BytesToString(r.Owner)
	if err != nil {
		return Device{}, err
	}
	node, err := ac.BytesToString(r.HomeNode)
	if err != nil {
		return Device{}, err
	}
	return Device{
		Id:               id,
		Owner:            owner,
		Pubkey:           r.Pubkey,
		KeyVersion:       r.KeyVersion,
		KeySinceHeight:   r.KeySinceHeight,
		Kind:             r.Kind,
		Protocols:        r.Protocols,
		HomeNode:         node,
		Metadata:         r.Metadata,
		Status:           r.Status,
		RegisteredHeight: r.RegisteredHeight,
		SuspendedByAdmin: r.SuspendedByAdmin,
	}, nil
}
