package keeper_test

import (
	"fmt"
	"math"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/trustedge/trustedge/internal/pagebound"
	devtestutil "github.com/trustedge/trustedge/x/device/testutil"
	"github.com/trustedge/trustedge/x/device/types"
)

func (s *DeviceSuite) requireCode(code codes.Code, err error) {
	s.T().Helper()
	s.Require().Error(err)
	s.Require().Equal(code, status.Code(err), "%v", err)
}

func (s *DeviceSuite) TestQueryDevice() {
	d := s.registered("a")
	resp, err := s.f.QueryServer.Device(s.f.Ctx, &types.QueryDeviceRequest{DeviceId: d.ID})
	s.Require().NoError(err)
	s.Require().Equal(s.f.Device(s.T(), d.ID), resp.Device)

	_, err = s.f.QueryServer.Device(s.f.Ctx, &types.QueryDeviceRequest{DeviceId: "nope"})
	s.requireCode(codes.NotFound, err)
	_, err = s.f.QueryServer.Device(s.f.Ctx, &types.QueryDeviceRequest{DeviceId: "a/b"})
	s.requireCode(codes.InvalidArgument, err)
	_, err = s.f.QueryServer.Device(s.f.Ctx, nil)
	s.requireCode(codes.InvalidArgument, err)
}

// TestPaginationByOwnerAndNode registers 25 devices for alice (on both
// nodes) and 5 for bob, then pages through the indexes.
func (s *DeviceSuite) TestPaginationByOwnerAndNode() {
	var aliceIDs, node0IDs []string
	for i := 0; i < 25; i++ {
		node := s.node0
		if i%2 == 1 {
			node = s.node1
		}
		d := devtestutil.NewTestDevice(fmt.Sprintf("alice-%02d", i), s.alice, node)
		s.f.Register(s.T(), d)
		aliceIDs = append(aliceIDs, d.ID)
		if node == s.node0 {
			node0IDs = append(node0IDs, d.ID)
		}
	}
	for i := 0; i < 5; i++ {
		d := devtestutil.NewTestDevice(fmt.Sprintf("bob-%02d", i), s.bob, s.node0)
		s.f.Register(s.T(), d)
		node0IDs = append(node0IDs, d.ID)
	}

	// Page by key through alice's devices, 10 at a time.
	var got []string
	var next []byte
	pages := 0
	for {
		resp, err := s.f.QueryServer.DevicesByOwner(s.f.Ctx, &types.QueryDevicesByOwnerRequest{
			Owner: s.alice, Pagination: &query.PageRequest{Key: next, Limit: 10, CountTotal: next == nil},
		})
		s.Require().NoError(err)
		if next == nil {
			s.Require().Equal(uint64(25), resp.Pagination.Total)
		}
		for _, d := range resp.Devices {
			s.Require().Equal(s.alice, d.Owner)
		}
		got = append(got, ids(resp.Devices)...)
		pages++
		next = resp.Pagination.NextKey
		if next == nil {
			break
		}
	}
	s.Require().Equal(3, pages)
	s.Require().Equal(aliceIDs, got)

	// Offset paging and reverse order.
	resp, err := s.f.QueryServer.DevicesByOwner(s.f.Ctx, &types.QueryDevicesByOwnerRequest{
		Owner: s.bob, Pagination: &query.PageRequest{Offset: 3, Limit: 10},
	})
	s.Require().NoError(err)
	s.Require().Equal([]string{"bob-03", "bob-04"}, ids(resp.Devices))
	resp, err = s.f.QueryServer.DevicesByOwner(s.f.Ctx, &types.QueryDevicesByOwnerRequest{
		Owner: s.bob, Pagination: &query.PageRequest{Limit: 2, Reverse: true},
	})
	s.Require().NoError(err)
	s.Require().Equal([]string{"bob-04", "bob-03"}, ids(resp.Devices))

	// By node: node0 holds alice's even devices and all of bob's, by id.
	s.Require().Equal(node0IDs, s.nodeDevices(s.node0))
	nresp, err := s.f.QueryServer.DevicesByNode(s.f.Ctx, &types.QueryDevicesByNodeRequest{
		HomeNode: s.node1, Pagination: &query.PageRequest{Limit: 5, CountTotal: true},
	})
	s.Require().NoError(err)
	s.Require().Len(nresp.Devices, 5)
	s.Require().Equal(uint64(12), nresp.Pagination.Total)

	// Unknown owner: empty page. Bad address: InvalidArgument.
	s.Require().Empty(s.ownerDevices(devtestutil.AddrStr("carol")))
	_, err = s.f.QueryServer.DevicesByOwner(s.f.Ctx, &types.QueryDevicesByOwnerRequest{Owner: "carol"})
	s.requireCode(codes.InvalidArgument, err)
	_, err = s.f.QueryServer.DevicesByNode(s.f.Ctx, &types.QueryDevicesByNodeRequest{HomeNode: "node"})
	s.requireCode(codes.InvalidArgument, err)
	_, err = s.f.QueryServer.DevicesByOwner(s.f.Ctx, &types.QueryDevicesByOwnerRequest{
		Owner: s.alice, Pagination: &query.PageRequest{Key: []byte("x"), Offset: 1},
	})
	s.requireCode(codes.InvalidArgument, err)
	// An offset past pagebound.MaxOffset walks too many entries: refused.
	_, err = s.f.QueryServer.DevicesByOwner(s.f.Ctx, &types.QueryDevicesByOwnerRequest{
		Owner: s.alice, Pagination: &query.PageRequest{Offset: pagebound.MaxOffset + 1},
	})
	s.requireCode(codes.InvalidArgument, err)
}

// One page loads at most pagebound.MaxLimit devices, however large the
// limit asked for (an owner with a million devices must not cost a node a
// million reads per request).
func (s *DeviceSuite) TestPageLimitIsCapped() {
	for i := 0; i <= pagebound.MaxLimit; i++ {
		s.f.Register(s.T(), devtestutil.NewTestDevice(fmt.Sprintf("m-%04d", i), s.alice, s.node0))
	}
	resp, err := s.f.QueryServer.DevicesByOwner(s.f.Ctx, &types.QueryDevicesByOwnerRequest{
		Owner: s.alice, Pagination: &query.PageRequest{Limit: math.MaxUint64, CountTotal: true},
	})
	s.Require().NoError(err)
	s.Require().Len(resp.Devices, pagebound.MaxLimit)
	s.Require().NotEmpty(resp.Pagination.NextKey)
	s.Require().Equal(uint64(pagebound.MaxLimit+1), resp.Pagination.Total)
	// No pagination at all: the SDK's default page, with the total.
	resp, err = s.f.QueryServer.DevicesByOwner(s.f.Ctx, &types.QueryDevicesByOwnerRequest{Owner: s.alice})
	s.Require().NoError(err)
	s.Require().Len(resp.Devices, pagebound.DefaultLimit)
	s.Require().Equal(uint64(pagebound.MaxLimit+1), resp.Pagination.Total)
}

func (s *DeviceSuite) TestQueryKeyHistory() {
	d, keys := s.rotatedDevice()
	// A device whose id extends d's must not leak into d's history.
	s.f.Register(s.T(), devtestutil.NewTestDevice(d.ID+"x", s.alice, s.node0))
	ext := devtestutil.NewTestDevice(d.ID+"x", s.alice, s.node0)
	s.Require().NoError(s.rotate(ext.RotateMsg(1, keys[2])))

	resp, err := s.f.QueryServer.KeyHistory(s.f.Ctx, &types.QueryKeyHistoryRequest{DeviceId: d.ID})
	s.Require().NoError(err)
	s.Require().Equal([]types.KeyHistoryEntry{
		{DeviceId: d.ID, Version: 1, Record: types.KeyRecord{Pubkey: keys[0].PubKey(), ValidFromHeight: 10, ValidUntilHeight: 20}},
		{DeviceId: d.ID, Version: 2, Record: types.KeyRecord{Pubkey: keys[1].PubKey(), ValidFromHeight: 20, ValidUntilHeight: 30}},
		{DeviceId: d.ID, Version: 3, Record: types.KeyRecord{Pubkey: keys[2].PubKey(), ValidFromHeight: 30, ValidUntilHeight: 30}},
	}, resp.Entries)

	page, err := s.f.QueryServer.KeyHistory(s.f.Ctx, &types.QueryKeyHistoryRequest{
		DeviceId: d.ID, Pagination: &query.PageRequest{Limit: 2},
	})
	s.Require().NoError(err)
	s.Require().Len(page.Entries, 2)
	page, err = s.f.QueryServer.KeyHistory(s.f.Ctx, &types.QueryKeyHistoryRequest{
		DeviceId: d.ID, Pagination: &query.PageRequest{Key: page.Pagination.NextKey},
	})
	s.Require().NoError(err)
	s.Require().Equal(uint64(3), page.Entries[0].Version)
	s.Require().Len(page.Entries, 1)

	_, err = s.f.QueryServer.KeyHistory(s.f.Ctx, &types.QueryKeyHistoryRequest{DeviceId: ""})
	s.requireCode(codes.InvalidArgument, err)
}

func (s *DeviceSuite) TestQueryVerify() {
	d, keys := s.rotatedDevice()
	msg := []byte("reading")
	resp, err := s.f.QueryServer.Verify(s.f.Ctx, &types.QueryVerifyRequest{DeviceId: d.ID, Message: msg, Signature: keys[3].Sign(msg)})
	s.Require().NoError(err)
	s.Require().Equal(&types.QueryVerifyResponse{Valid: true, KeyVersion: 4}, resp)

	resp, err = s.f.QueryServer.Verify(s.f.Ctx, &types.QueryVerifyRequest{DeviceId: d.ID, Message: msg, Signature: keys[1].Sign(msg), AtHeight: 25})
	s.Require().NoError(err)
	s.Require().Equal(&types.QueryVerifyResponse{Valid: true, KeyVersion: 2}, resp)

	resp, err = s.f.QueryServer.Verify(s.f.Ctx, &types.QueryVerifyRequest{DeviceId: d.ID, Message: msg, Signature: keys[0].Sign(msg)})
	s.Require().NoError(err)
	s.Require().False(resp.Valid)
	s.Require().Equal(uint64(4), resp.KeyVersion)
	s.Require().Contains(resp.Reason, types.ErrInvalidSignature.Error())

	resp, err = s.f.QueryServer.Verify(s.f.Ctx, &types.QueryVerifyRequest{DeviceId: "nope", Message: msg, Signature: keys[0].Sign(msg)})
	s.Require().NoError(err)
	s.Require().False(resp.Valid)
	s.Require().Contains(resp.Reason, types.ErrDeviceNotFound.Error())

	_, err = s.f.QueryServer.Verify(s.f.Ctx, nil)
	s.requireCode(codes.InvalidArgument, err)
}
