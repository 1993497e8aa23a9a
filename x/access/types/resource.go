package types

import (
	"slices"
	"strings"

	errorsmod "cosmossdk.io/errors"
)

// Resources are "<namespace>/<id>", e.g. "stream/pm25-17", "device/lab-3",
// "task/inference", "node/edge1…". A pattern is a resource, or a prefix
// ending in a single "*": "stream/*" (every stream), "device/lab-*".
// Namespaces: TrustEdge uses stream, device, task and node; any name of
// 1..16 of [a-z0-9-] starting with a letter is accepted.

const (
	maxNamespaceLen = 16
	maxResourceLen  = 160
)

// Namespace returns the namespace of a resource or pattern.
func Namespace(resource string) string {
	ns, _, _ := strings.Cut(resource, "/")
	return ns
}

// ValidateNamespace checks a namespace name.
func ValidateNamespace(ns string) error {
	if ns == "" || len(ns) > maxNamespaceLen || ns[0] < 'a' || ns[0] > 'z' {
		return errorsmod.Wrapf(ErrInvalidNamespace, "%q must be 1..%d of [a-z0-9-] starting with a letter", ns, maxNamespaceLen)
	}
	for i := 0; i < len(ns); i++ {
		c := ns[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return errorsmod.Wrapf(ErrInvalidNamespace, "%q must be of [a-z0-9-]", ns)
		}
	}
	return nil
}

// ValidatePattern checks a grant's resource pattern.
func ValidatePattern(p string) error { return validateResource(p, true) }

// ValidateResource checks a concrete resource (no wildcard).
func ValidateResource(r string) error { return validateResource(r, false) }

func validateResource(r string, allowWildcard bool) error {
	if len(r) > maxResourceLen {
		return errorsmod.Wrapf(ErrInvalidResource, "longer than %d bytes", maxResourceLen)
	}
	ns, rest, ok := strings.Cut(r, "/")
	if !ok {
		return errorsmod.Wrapf(ErrInvalidResource, "%q must be <namespace>/<id>", r)
	}
	if err := ValidateNamespace(ns); err != nil {
		return errorsmod.Wrapf(ErrInvalidResource, "%q: %v", r, err)
	}
	if allowWildcard && strings.HasSuffix(rest, "*") {
		rest = strings.TrimSuffix(rest, "*")
	} else if rest == "" {
		// Only "<ns>/*" may have an empty id: "<ns>/" would name no resource.
		return errorsmod.Wrapf(ErrInvalidResource, "%q has an empty id", r)
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; !idChar(c) && c != '/' {
			return errorsmod.Wrapf(ErrInvalidResource, "%q: byte %q not allowed (ids are [A-Za-z0-9._:/-], a pattern may end in one *)", r, c)
		}
	}
	return nil
}

// Matches reports whether a pattern covers a concrete resource.
func Matches(pattern, resource string) bool {
	if prefix, ok := strings.CutSuffix(pattern, "*"); ok {
		return strings.HasPrefix(resource, prefix)
	}
	return pattern == resource
}

// IsWildcard reports whether a pattern ends in "*".
func IsWildcard(pattern string) bool { return strings.HasSuffix(pattern, "*") }

// PatternsMatching lists every pattern that could cover a resource: the
// resource itself and each of its prefixes (from "<namespace>/") plus "*".
// Used to look grantees up by index instead of scanning all grants.
func PatternsMatching(resource string) []string {
	slash := strings.IndexByte(resource, '/')
	if slash < 0 {
		return nil
	}
	out := []string{resource}
	for i := len(resource); i > slash; i-- {
		out = append(out, resource[:i]+"*")
	}
	return out
}

// ValidateAction checks one action: "*" or 1..32 of [a-z0-9_-] starting with a letter.
func ValidateAction(a string) error {
	if a == ActionAll {
		return nil
	}
	if a == "" || len(a) > 32 || a[0] < 'a' || a[0] > 'z' {
		return errorsmod.Wrapf(ErrInvalidAction, "%q must be * or 1..32 of [a-z0-9_-] starting with a letter", a)
	}
	for i := 0; i < len(a); i++ {
		c := a[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return errorsmod.Wrapf(ErrInvalidAction, "%q must be of [a-z0-9_-]", a)
		}
	}
	return nil
}

// NormalizeActions validates, sorts and de-duplicates an action list, so
// equal sets are stored equal.
func NormalizeActions(actions []string) ([]string, error) {
	if len(actions) > MaxActions {
		return nil, errorsmod.Wrapf(ErrInvalidAction, "at most %d actions", MaxActions)
	}
	out := slices.Clone(actions)
	for _, a := range out {
		if err := ValidateAction(a); err != nil {
			return nil, err
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// Allows reports whether an action list contains the action (or "*").
func Allows(actions []string, action string) bool {
	return slices.Contains(actions, action) || slices.Contains(actions, ActionAll)
}
