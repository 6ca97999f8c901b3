package registry

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
)

// Release is a firmware version published for a product.
type Release struct {
	ID         string    `json:"id"`
	ProductID  string    `json:"product_id"`
	Version    string    `json:"version"`
	ReleasedAt time.Time `json:"released_at"`
	Notes      string    `json:"notes,omitempty"`
	// HardwareRevisions names the revisions the image runs on; empty means all.
	HardwareRevisions []string `json:"hardware_revisions"`
	// SecurityUpdate marks a release that fixes vulnerabilities, so devices
	// and users can tell security updates from feature updates (CRA Annex I).
	SecurityUpdate bool `json:"security_update"`
	// AllowRollback lets devices running a newer version install this one,
	// for a release that replaces a bad one with an older, known good image.
	AllowRollback bool      `json:"allow_rollback,omitempty"`
	CreatedAt     time.Time `json:"created_at"`
	// Image is the uploaded firmware file, if any.
	Image *Image `json:"image,omitempty"`
	// SignedAt is when the image was signed into the product's TUF targets
	// metadata; devices can fetch a release only from then on.
	SignedAt *time.Time `json:"signed_at,omitempty"`
	// TargetCustom is the "custom" object signed into the targets metadata
	// with the image: the release facts as they stood when it was signed.
	TargetCustom json.RawMessage `json:"-"`
}

// Image is a release's firmware file as stored.
type Image struct {
	FileName   string    `json:"file_name"`
	Length     int64     `json:"length"`
	SHA256     string    `json:"sha256"` // hex
	SHA512     string    `json:"sha512"` // hex
	UploadedAt time.Time `json:"uploaded_at"`
	BlobKey    string    `json:"-"` // where the blob store keeps it; internal
}

// MaxImageNameLen bounds an image's file name.
const MaxImageNameLen = 128

// ValidImageName reports whether name can be an image's file name: letters,
// digits and . _ + - only, not starting with a dot, so it is the same in
// every URL encoding and on every file system.
func ValidImageName(name string) bool {
	if name == "" || len(name) > MaxImageNameLen || name[0] == '.' {
		return false
	}
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '+' || c == '-') {
			return false
		}
	}
	return true
}

// MaxVersionLen bounds a version string.
const MaxVersionLen = 64

// ValidVersion reports whether v can name a release: printable, no spaces or
// slashes, so it can appear in a URL path segment.
func ValidVersion(v string) bool {
	if v == "" || len(v) > MaxVersionLen {
		return false
	}
	for _, r := range v {
		if r <= ' ' || r == '/' || r == '\\' || r == '?' || r == '#' || r == '%' || r == 0x7f {
			return false
		}
	}
	return true
}

// Validate checks the release's fields.
func (r *Release) Validate() error {
	r.Version = strings.TrimSpace(r.Version)
	r.Notes = strings.TrimSpace(r.Notes)
	var f errs.Fields
	f.Check(ValidVersion(r.Version), "version", "is required and must be at most %d characters without spaces, slashes, '?', '#' or '%%'", MaxVersionLen)
	f.Check(!r.ReleasedAt.IsZero(), "released_at", "is required")
	f.Check(r.ReleasedAt.IsZero() || ValidTime(r.ReleasedAt), "released_at", "must be between the years 1970 and 9999 (UTC)")
	f.Check(len(r.Notes) <= 20000, "notes", "must be at most 20000 characters")
	f.Check(len(r.HardwareRevisions) <= 100, "hardware_revisions", "must name at most 100 revisions")
	seen := map[string]bool{}
	for _, h := range r.HardwareRevisions {
		f.Check(!seen[h], "hardware_revisions", "names %q twice", h)
		seen[h] = true
	}
	if r.HardwareRevisions == nil {
		r.HardwareRevisions = []string{}
	}
	return f.Err()
}

// ReleasePatch changes a release's notes or date.
type ReleasePatch struct {
	ReleasedAt *time.Time `json:"released_at,omitempty"`
	Notes      *string    `json:"notes,omitempty"`
}
