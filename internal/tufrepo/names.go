package tufrepo

import (
	"encoding/hex"
	"strconv"
	"strings"
)

// MaxTargetPath bounds a target path.
const MaxTargetPath = 255

// MetadataName is the consistent-snapshot file name of a role's version.
func MetadataName(role string, version int64) string {
	if role == Timestamp {
		return "timestamp.json"
	}
	return strconv.FormatInt(version, 10) + "." + role + ".json"
}

// ParseMetadataName reads a file name a TUF client asks for under
// metadata/. Timestamp has version 0, meaning the newest.
func ParseMetadataName(name string) (role string, version int64, err error) {
	if name == "timestamp.json" {
		return Timestamp, 0, nil
	}
	v, rest, ok := strings.Cut(name, ".")
	if !ok || v == "" || len(v) > 18 || (len(v) > 1 && v[0] == '0') {
		return "", 0, refused("bad_name", "no such metadata file")
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return "", 0, refused("bad_name", "no such metadata file")
		}
	}
	version, _ = strconv.ParseInt(v, 10, 64)
	role, ok = strings.CutSuffix(rest, ".json")
	if !ok || !(role == Root || role == Targets || role == Snapshot || IsBinRole(role)) {
		return "", 0, refused("bad_name", "no such metadata file")
	}
	if version < 1 {
		return "", 0, refused("bad_name", "no such metadata file")
	}
	return role, version, nil
}

// TargetPath is where a release's image appears in targets metadata:
// "<version>/<file name>".
func TargetPath(version, fileName string) string { return version + "/" + fileName }

// ValidTargetPath checks a target path: one or more segments of letters,
// digits and . _ ~ + = @ : , -, none empty, "." or "..", and none starting
// with a dot. The narrow alphabet keeps paths identical across TUF clients'
// URL quoting.
func ValidTargetPath(p string) error {
	if p == "" || len(p) > MaxTargetPath {
		return refused("bad_target_path", "a target path must be 1 to %d characters", MaxTargetPath)
	}
	for _, seg := range strings.Split(p, "/") {
		if seg == "" || seg[0] == '.' {
			return refused("bad_target_path", "target path %q has an empty segment or one starting with a dot", p)
		}
		for _, c := range seg {
			if !targetChar(c) {
				return refused("bad_target_path", "target path %q may hold only letters, digits and . _ ~ + = @ : , -", p)
			}
		}
	}
	return nil
}

func targetChar(c rune) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.ContainsRune("._~+=@:,-", c)
}

// ParseTargetRequest reads the path a TUF client asks for under targets/
// with consistent snapshots: "dir/<hash hex>.<name>", where the hash is any
// of those the targets metadata lists (clients pick one: go-tuf takes
// whichever its map iteration yields first), so SHA-256 (64 hex digits) or
// SHA-512 (128). It returns the target path ("dir/<name>") and the digest.
func ParseTargetRequest(p string) (targetPath, digestHex string, err error) {
	dir, base := "", p
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		dir, base = p[:i+1], p[i+1:]
	}
	digest, name, ok := strings.Cut(base, ".")
	if !ok || (len(digest) != 64 && len(digest) != 128) || name == "" {
		return "", "", refused("bad_name", "no such target: names are <sha256 or sha512>.<file>")
	}
	if _, err := hex.DecodeString(digest); err != nil || strings.ToLower(digest) != digest {
		return "", "", refused("bad_name", "no such target: names are <sha256 or sha512>.<file>")
	}
	targetPath = dir + name
	if err := ValidTargetPath(targetPath); err != nil {
		return "", "", err
	}
	return targetPath, digest, nil
}
