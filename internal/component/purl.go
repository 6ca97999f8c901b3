package component

import (
	"slices"
	"strings"

	"github.com/package-url/packageurl-go"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// maxPURLLen bounds the input ParsePURL reads.
const maxPURLLen = 8192

// PURL is a parsed, normalised package URL. Build it with [ParsePURL]; the
// fields are normalised and decoded (not percent-encoded).
type PURL struct {
	Type       string      // lowercase
	Namespace  string      // segments joined by "/"; "" when absent
	Name       string      // never empty
	Version    string      // "" when absent
	Qualifiers []Qualifier // keys lowercase, sorted by key, no empty values
	Subpath    string      // "" when absent
}

// Qualifier is one key=value qualifier of a purl.
type Qualifier struct {
	Key, Value string
}

// goPlaceholderType stands in for "golang" while packageurl-go parses a
// golang purl, so that it keeps the case of the namespace and name (see
// ParsePURL). packageurl-go applies no rules to an unknown type.
const goPlaceholderType = "lifeline-golang-case-kept"

// ParsePURL parses and normalises a package URL, so that the same package
// written two ways is the same PURL. It uses packageurl-go v0.1.7, which
// lowercases the type and the qualifier keys, drops qualifiers with empty
// values, sorts the qualifiers, percent-decodes every component and applies
// the purl spec's per-type rules:
//
//   - pypi: the name is lowercased and "_" becomes "-" (Django_Rest →
//     django-rest);
//   - deb, apk, alpm, bitbucket, github, composer, brew, qpkg: the namespace
//     and the name are lowercased (bitnami and chrome-extension: the name);
//   - rpm: the namespace (vendor) is lowercased, the name is case-sensitive
//     and kept;
//   - huggingface: the version is lowercased.
//
// Lifeline departs from packageurl-go in two places:
//
//   - npm: the scope (namespace) and the name are lowercased, as the npm type
//     definition says; "@scope" and "%40scope" are the same scope.
//   - golang: the namespace and the name keep their case. The purl spec says
//     to lowercase them, but Go module paths are case-sensitive
//     (github.com/Foo/Bar and github.com/foo/bar are different modules to the
//     Go module proxy, which escapes upper case as "!f"), and OSV's Go
//     records use the exact module path, so lowercasing would make two
//     modules one.
//
// pkg:yocto/<layer>/<name>@<version> and pkg:generic/... are kept as they
// are: the yocto name (BPN) is case-sensitive and packageurl-go applies no
// rule to the layer, and generic has no rules. Versions are kept as
// written; ordering them is the matcher's business.
//
// Errors are of kind errs.Invalid with code "invalid_purl".
func ParsePURL(s string) (PURL, error) {
	s = strings.TrimSpace(s)
	if len(s) > maxPURLLen {
		return PURL{}, purlError(s, "longer than %d bytes", maxPURLLen)
	}
	in, golang := s, false
	if len(s) >= 4 && strings.EqualFold(s[:4], "pkg:") {
		// Find the type as packageurl-go does: after the scheme and any
		// slashes, up to the first "/", unless a "?" or "#" comes first.
		rest := strings.TrimLeft(s[4:], "/")
		if j := strings.IndexAny(rest, "/?#"); j > 0 && rest[j] == '/' && strings.EqualFold(rest[:j], packageurl.TypeGolang) {
			in, golang = "pkg:"+goPlaceholderType+rest[j:], true
		}
	}
	u, err := packageurl.FromString(in)
	if err != nil {
		return PURL{}, purlError(s, "%s", err.Error())
	}
	if golang {
		u.Type = packageurl.TypeGolang
	}
	if u.Type == packageurl.TypeNPM {
		u.Namespace = strings.ToLower(u.Namespace)
		u.Name = strings.ToLower(u.Name)
	}
	p := PURL{Type: u.Type, Namespace: u.Namespace, Name: u.Name, Version: u.Version, Subpath: u.Subpath}
	if len(u.Qualifiers) > 0 {
		p.Qualifiers = make([]Qualifier, len(u.Qualifiers))
		for i, q := range u.Qualifiers {
			p.Qualifiers[i] = Qualifier{Key: q.Key, Value: q.Value}
		}
	}
	return p, nil
}

func purlError(s, format string, args ...any) *errs.Error {
	return errs.E(errs.Invalid, "invalid purl %q: "+format, append([]any{clip(s)}, args...)...).WithCode("invalid_purl")
}

// Key returns the canonical string of p: one string per package version,
// the same for every way of writing it. It is the purl with the normalised
// components, percent-encoded as the purl spec requires, the qualifiers
// sorted by key, and the subpath.
func (p PURL) Key() string {
	return p.render(true)
}

// Versionless returns the canonical string of p without its version and
// its qualifiers: one string per package, to group the same package across
// releases. Qualifiers are dropped because what they carry changes with the
// build rather than naming another package (arch, distro, epoch,
// checksum, download_url, Yocto's layer_version); the subpath is kept,
// because it names a different part of the package.
func (p PURL) Versionless() string {
	return p.render(false)
}

// String returns p.Key().
func (p PURL) String() string { return p.Key() }

func (p PURL) render(withVersion bool) string {
	u := packageurl.PackageURL{Type: p.Type, Namespace: p.Namespace, Name: p.Name, Subpath: p.Subpath}
	if withVersion {
		u.Version = p.Version
		if len(p.Qualifiers) > 0 {
			// ToString sorts the qualifiers in place; give it a copy.
			u.Qualifiers = make(packageurl.Qualifiers, len(p.Qualifiers))
			for i, q := range p.Qualifiers {
				u.Qualifiers[i] = packageurl.Qualifier{Key: q.Key, Value: q.Value}
			}
		}
	}
	return u.ToString()
}

// Qualifier returns the value of the qualifier key (lowercase), and whether
// p has it.
func (p PURL) Qualifier(key string) (string, bool) {
	i := slices.IndexFunc(p.Qualifiers, func(q Qualifier) bool { return q.Key == key })
	if i < 0 {
		return "", false
	}
	return p.Qualifiers[i].Value, true
}
