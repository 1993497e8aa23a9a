package types_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/trustedge/trustedge/x/access/types"
)

// Run as normal tests on the seeds; explore with e.g.
//
//	go test -tags pebbledb -run '^$' -fuzz FuzzMatches ./x/access/types

func FuzzMatches(f *testing.F) {
	for _, s := range [][2]string{
		{"stream/a", "stream/a"},
		{"stream/*", "stream/a/b"},
		{"stream/a*", "stream/abc"},
		{"stream/a*", "stream/b"},
		{"stream/a*b", "stream/axb"},
		{"*", "stream/a"},
		{"stream/", "stream/"},
		{"device/lab-*", "device/lab-3"},
		{"", ""},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, pattern, resource string) {
		got := types.Matches(pattern, resource) // never panics

		if !strings.HasSuffix(pattern, "*") && got != (pattern == resource) {
			t.Fatalf("pattern %q without a final * must match only itself; Matches(%q) = %v", pattern, resource, got)
		}
		if types.ValidatePattern(pattern) == nil && types.IsWildcard(pattern) {
			prefix := strings.TrimSuffix(pattern, "*")
			if want := strings.HasPrefix(resource, prefix); got != want {
				t.Fatalf("Matches(%q, %q) = %v, want %v (prefix %q)", pattern, resource, got, want, prefix)
			}
		}
		if types.ValidateResource(resource) != nil {
			return
		}
		patterns := types.PatternsMatching(resource)
		if len(patterns) == 0 || patterns[0] != resource {
			t.Fatalf("PatternsMatching(%q) = %q: the resource itself comes first", resource, patterns)
		}
		for _, p := range patterns {
			if !types.Matches(p, resource) {
				t.Fatalf("PatternsMatching(%q) returned %q, which does not match it", resource, p)
			}
			if types.Namespace(p) != types.Namespace(resource) {
				t.Fatalf("PatternsMatching(%q) returned %q of another namespace", resource, p)
			}
		}
		// Complete: Grantees finds every grant that covers the resource.
		if got && types.ValidatePattern(pattern) == nil && !slices.Contains(patterns, pattern) {
			t.Fatalf("valid pattern %q matches %q but PatternsMatching misses it: %q", pattern, resource, patterns)
		}
	})
}

func FuzzValidatePattern(f *testing.F) {
	for _, s := range []string{
		"stream/a", "stream/*", "stream/a*", "stream/", "stream", "*", "stream/**",
		"stream/a*b", "Stream/a", "a/b/c", "n/" + strings.Repeat("x", 200), "ns/\xff",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		perr := types.ValidatePattern(s)
		rerr := types.ValidateResource(s)
		if rerr == nil && perr != nil {
			t.Fatalf("%q is a valid resource but not a valid pattern: %v", s, perr)
		}
		if !types.IsWildcard(s) && (perr == nil) != (rerr == nil) {
			t.Fatalf("%q has no wildcard: pattern err %v, resource err %v", s, perr, rerr)
		}
		if rerr == nil && strings.Contains(s, "*") {
			t.Fatalf("resource %q contains *", s)
		}
		if perr != nil {
			return
		}
		if len(s) > 160 {
			t.Fatalf("valid pattern %q is longer than 160", s)
		}
		if err := types.ValidateNamespace(types.Namespace(s)); err != nil {
			t.Fatalf("valid pattern %q has an invalid namespace: %v", s, err)
		}
		if strings.Count(s, "*") > 1 || (strings.Contains(s, "*") && !types.IsWildcard(s)) {
			t.Fatalf("valid pattern %q has a * that is not the single last byte", s)
		}
		if !types.IsWildcard(s) && !types.Matches(s, s) {
			t.Fatalf("exact pattern %q does not match itself", s)
		}
	})
}

func FuzzNormalizeSubject(f *testing.F) {
	alice := addr("alice")
	for _, s := range []string{
		alice, "account:" + alice, "account:" + strings.ToUpper(alice), strings.ToUpper(alice),
		"device:lab-3", "device:a:b", "role:ops", "role:Ops", "group:x", "", ":", "account:", "device:",
		"cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		canon, err := types.NormalizeSubject(ac, s) // never panics
		if err != nil {
			return
		}
		again, err := types.NormalizeSubject(ac, canon)
		if err != nil || again != canon {
			t.Fatalf("not idempotent: %q -> %q -> %q (%v)", s, canon, again, err)
		}
		kind, _, ok := strings.Cut(canon, ":")
		if !ok || (kind != types.SubjectAccount && kind != types.SubjectDevice && kind != types.SubjectRole) {
			t.Fatalf("canonical %q has no known kind", canon)
		}
		if member, err := types.NormalizeMember(ac, s); kind == types.SubjectRole {
			if err == nil {
				t.Fatalf("role %q accepted as a member", s)
			}
		} else if err != nil || member != canon {
			t.Fatalf("NormalizeMember(%q) = %q, %v; want %q", s, member, err, canon)
		}
	})
}
