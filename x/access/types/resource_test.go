package types_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/trustedge/trustedge/x/access/types"
)

func TestValidateNamespace(t *testing.T) {
	for _, ok := range []string{"stream", "device", "task", "node", "a", "a-1", strings.Repeat("n", 16)} {
		require.NoError(t, types.ValidateNamespace(ok), ok)
	}
	for _, bad := range []string{"", "1abc", "-abc", "Stream", "str_eam", "str.eam", "a/b", "a*", strings.Repeat("n", 17)} {
		require.ErrorIs(t, types.ValidateNamespace(bad), types.ErrInvalidNamespace, bad)
	}
}

func TestValidatePatternAndResource(t *testing.T) {
	long := "stream/" + strings.Repeat("x", 160-len("stream/"))
	require.Len(t, long, 160)

	cases := []struct {
		in                string
		pattern, resource bool // valid as such
	}{
		{"stream/pm25-17", true, true},
		{"device/lab-3", true, true},
		{"node/edge1abc", true, true},
		{"task/a.b_c:d-E/f", true, true},
		{"ns-2/x", true, true},
		{long, true, true},
		{long + "x", false, false},
		{long[:159] + "*", true, false},
		{long + "*", false, false},
		{"stream/*", true, false},
		{"device/lab-*", true, false},
		{"stream/a/*", true, false},
		{"stream/", false, false}, // empty id and no wildcard: names nothing
		{"stream", false, false},
		{"*", false, false},
		{"stream*", false, false},
		{"/x", false, false},
		{"Stream/x", false, false},
		{"1stream/x", false, false},
		{"str_eam/x", false, false},
		{"averyveryverylongns/x", false, false}, // namespace of 19
		{"stream/**", false, false},
		{"stream/a*b", false, false},
		{"stream/*a", false, false},
		{"stream/a b", false, false},
		{"stream/a\x00", false, false},
		{"stream/a\n", false, false},
		{"stream/ä", false, false},
		{"stream/a?", false, false},
		{"stream/a%2F", false, false},
		{"", false, false},
	}
	for _, tc := range cases {
		err := types.ValidatePattern(tc.in)
		if tc.pattern {
			require.NoError(t, err, "pattern %q", tc.in)
		} else {
			require.ErrorIs(t, err, types.ErrInvalidResource, "pattern %q", tc.in)
		}
		err = types.ValidateResource(tc.in)
		if tc.resource {
			require.NoError(t, err, "resource %q", tc.in)
		} else {
			require.ErrorIs(t, err, types.ErrInvalidResource, "resource %q", tc.in)
		}
	}
}

func TestNamespaceAndIsWildcard(t *testing.T) {
	require.Equal(t, "stream", types.Namespace("stream/a/b"))
	require.Equal(t, "stream", types.Namespace("stream/*"))
	require.Equal(t, "stream", types.Namespace("stream"))
	require.True(t, types.IsWildcard("stream/*"))
	require.False(t, types.IsWildcard("stream/a"))
}

func TestMatches(t *testing.T) {
	cases := []struct {
		pattern, resource string
		want              bool
	}{
		{"stream/a", "stream/a", true},
		{"stream/a", "stream/ab", false},
		{"stream/ab", "stream/a", false},
		{"stream/a", "device/a", false},
		{"stream/*", "stream/a", true},
		{"stream/*", "stream/a/b", true},
		{"stream/*", "streams/a", false},
		{"stream/*", "device/a", false},
		{"stream/a*", "stream/a", true},
		{"stream/a*", "stream/abc", true},
		{"stream/a*", "stream/b", false},
		{"stream/a*", "stream/A", false},
		{"stream/lab-*", "stream/lab-3", true},
		{"stream/lab-*", "stream/lab3", false},
		{"stream/a*b", "stream/axb", false}, // '*' only counts at the end
		{"stream/a*b", "stream/a*b", true},
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, types.Matches(tc.pattern, tc.resource), "%q ~ %q", tc.pattern, tc.resource)
	}
}

func TestPatternsMatching(t *testing.T) {
	require.Equal(t,
		[]string{"stream/abc", "stream/abc*", "stream/ab*", "stream/a*", "stream/*"},
		types.PatternsMatching("stream/abc"))
	require.Equal(t,
		[]string{"task/a/b", "task/a/b*", "task/a/*", "task/a*", "task/*"},
		types.PatternsMatching("task/a/b"))
	require.Nil(t, types.PatternsMatching("nonamespace"))
	for _, p := range types.PatternsMatching("device/lab-3") {
		require.True(t, types.Matches(p, "device/lab-3"), p)
		require.NoError(t, types.ValidatePattern(p), p)
	}
}

func TestValidateAction(t *testing.T) {
	for _, ok := range []string{"*", "read", "write", "a", "a_b-c9", strings.Repeat("a", 32)} {
		require.NoError(t, types.ValidateAction(ok), ok)
	}
	for _, bad := range []string{"", "**", "Read", "1read", "_read", "-read", "re ad", "re*", "re.ad", strings.Repeat("a", 33)} {
		require.ErrorIs(t, types.ValidateAction(bad), types.ErrInvalidAction, bad)
	}
}

func TestNormalizeActions(t *testing.T) {
	got, err := types.NormalizeActions([]string{"write", "read", "write", "admin", "read"})
	require.NoError(t, err)
	require.Equal(t, []string{"admin", "read", "write"}, got)

	got, err = types.NormalizeActions([]string{"read", "*"})
	require.NoError(t, err)
	require.Equal(t, []string{"*", "read"}, got)

	got, err = types.NormalizeActions(nil)
	require.NoError(t, err)
	require.Empty(t, got)

	in := []string{"b", "a"}
	_, err = types.NormalizeActions(in)
	require.NoError(t, err)
	require.Equal(t, []string{"b", "a"}, in, "the input is not modified")

	_, err = types.NormalizeActions([]string{"read", "Write"})
	require.ErrorIs(t, err, types.ErrInvalidAction)
	_, err = types.NormalizeActions([]string{""})
	require.ErrorIs(t, err, types.ErrInvalidAction)

	max := make([]string, types.MaxActions)
	for i := range max {
		max[i] = "a" + strings.Repeat("b", i)
	}
	got, err = types.NormalizeActions(max)
	require.NoError(t, err)
	require.Len(t, got, types.MaxActions)
	_, err = types.NormalizeActions(append(max, "z"))
	require.ErrorIs(t, err, types.ErrInvalidAction)
}

func TestAllows(t *testing.T) {
	require.True(t, types.Allows([]string{"read", "write"}, "read"))
	require.False(t, types.Allows([]string{"read", "write"}, "admin"))
	require.True(t, types.Allows([]string{"*"}, "admin"))
	require.True(t, types.Allows([]string{"*"}, "*"))
	require.False(t, types.Allows([]string{"read"}, "*"), `holding "read" is not holding every action`)
	require.False(t, types.Allows(nil, "read"))
}
