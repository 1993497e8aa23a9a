package pagebound

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/types/query"
)

func TestBound(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   *query.PageRequest
		want query.PageRequest
	}{
		{"nil: default page with the total", nil, query.PageRequest{Limit: DefaultLimit, CountTotal: true}},
		{"no limit: default page with the total", &query.PageRequest{Offset: 5}, query.PageRequest{Offset: 5, Limit: DefaultLimit, CountTotal: true}},
		{"no limit by key: no total (the SDK gives none with a key)", &query.PageRequest{Key: []byte{1}}, query.PageRequest{Key: []byte{1}, Limit: DefaultLimit}},
		{"limit kept", &query.PageRequest{Limit: 7, Reverse: true}, query.PageRequest{Limit: 7, Reverse: true}},
		{"limit capped", &query.PageRequest{Limit: math.MaxUint64, CountTotal: true}, query.PageRequest{Limit: MaxLimit, CountTotal: true}},
		{"offset at the cap", &query.PageRequest{Offset: MaxOffset, Limit: 1}, query.PageRequest{Offset: MaxOffset, Limit: 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Bound(tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.want, *got)
		})
	}
	in := &query.PageRequest{Offset: MaxOffset + 1}
	_, err := Bound(in)
	require.Equal(t, codes.InvalidArgument, status.Code(err))
	require.Equal(t, uint64(MaxOffset+1), in.Offset, "the caller's request is not modified")
}

func TestWantsTotal(t *testing.T) {
	require.True(t, WantsTotal(nil))
	require.True(t, WantsTotal(&query.PageRequest{}))
	require.True(t, WantsTotal(&query.PageRequest{Limit: 5, CountTotal: true}))
	require.False(t, WantsTotal(&query.PageRequest{Limit: 5}))
}
