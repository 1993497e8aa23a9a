package gateway

import (
	"context"
	"strings"

	"github.com/trustedge/trustedge/node/gateway/gatewaypb"
	accesstypes "github.com/trustedge/trustedge/x/access/types"
	devicetypes "github.com/trustedge/trustedge/x/device/types"
	streamtypes "github.com/trustedge/trustedge/x/stream/types"
)

// StreamResource is the x/access resource of a stream.
func StreamResource(streamID string) string { return "stream/" + streamID }

// authorize runs the chain checks of an ingest, in order: the stream
// (exists, open, fed by this device, homed here), then the device (exists,
// active, still owned by the stream's owner), then access. It returns the device for the signature check.
//
// The access rule: the stream's OWNER must be allowed "write" on
// "stream/<id>". A device holds no grant of its own; its owner vouches for
// it, so taking the owner's write grant away stops all its devices at the
// next block, and a grant can be given to an owner once for all its streams
// ("stream/*").
func (g *Gateway) authorize(ctx context.Context, c *chainCache, req *gatewaypb.IngestRequest) (devicetypes.Device, *Error) {
	s, e := g.homeStream(ctx, c, req.StreamId)
	if e != nil {
		return devicetypes.Device{}, e
	}
	if s.Status != streamtypes.STREAM_STATUS_OPEN {
		return devicetypes.Device{}, newError(ReasonForbidden, "stream %q is %s: it takes no more readings", s.Id, streamStatusName(s.Status))
	}
	if s.DeviceId != req.DeviceId {
		return devicetypes.Device{}, newError(ReasonForbidden, "stream %q takes readings from device %q only, not %q", s.Id, s.DeviceId, req.DeviceId)
	}

	d, found, err := c.device(ctx, g.chain, req.DeviceId)
	if err != nil {
		return devicetypes.Device{}, chainUnavailable(err)
	}
	if !found {
		return devicetypes.Device{}, newError(ReasonForbidden, "device %q is not registered on chain", req.DeviceId)
	}
	if d.Status != devicetypes.DEVICE_STATUS_ACTIVE {
		return devicetypes.Device{}, newError(ReasonForbidden, "device %q is %s", d.Id, deviceStatusName(d.Status))
	}
	// A device transferred to another owner (x/device MsgTransferDevice)
	// no longer feeds the streams its former owner created: its data is the
	// new owner's, who creates its own stream for it.
	if d.Owner != s.Owner {
		return devicetypes.Device{}, newError(ReasonForbidden, "device %q now belongs to %s, not to stream %q's owner %s: the new owner creates its own stream for it",
			d.Id, d.Owner, s.Id, s.Owner)
	}

	subject := accesstypes.AccountSubject(s.Owner)
	ok, err := c.allowed(ctx, g.chain, subject, accesstypes.ActionWrite, StreamResource(s.Id))
	if err != nil {
		return devicetypes.Device{}, chainUnavailable(err)
	}
	if !ok {
		return devicetypes.Device{}, newError(ReasonForbidden, "stream owner %s is not allowed %q on %q (x/access): the owner's write grant covers its devices",
			s.Owner, accesstypes.ActionWrite, StreamResource(s.Id))
	}
	return d, nil
}

// homeStream reads a stream and requires it to exist and be homed on this
// node: only the home node ingests a stream, and only it has the readings.
func (g *Gateway) homeStream(ctx context.Context, c *chainCache, id string) (streamtypes.Stream, *Error) {
	s, found, err := c.stream(ctx, g.chain, id)
	if err != nil {
		return streamtypes.Stream{}, chainUnavailable(err)
	}
	if !found {
		return streamtypes.Stream{}, newError(ReasonNotFound, "stream %q is not registered on chain", id)
	}
	if s.HomeNode != g.cfg.Operator {
		return streamtypes.Stream{}, newError(ReasonMisdirected, "stream %q is homed on edge node %s, this is edge node %s: use that node's gateway (its endpoint is in x/edge)",
			id, s.HomeNode, g.cfg.Operator)
	}
	return s, nil
}

func chainUnavailable(err error) *Error {
	return newError(ReasonUnavailable, "chain state unavailable: %v", err)
}

// streamStatusName is "open"/"closed" from STREAM_STATUS_OPEN/CLOSED.
func streamStatusName(s streamtypes.StreamStatus) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "STREAM_STATUS_"))
}

// deviceStatusName is "suspended"/"revoked" from DEVICE_STATUS_*.
func deviceStatusName(s devicetypes.DeviceStatus) string {
	return strings.ToLower(strings.TrimPrefix(s.String(), "DEVICE_STATUS_"))
}
