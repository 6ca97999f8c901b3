package webui

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/tufrepo"
)

// The update repository of a product: its status on the product's page,
// the owner's forms to create online keys and install root metadata, and
// the release forms to upload an image and sign it for devices.

// rootWarning is how long before the root metadata expires the product
// page warns about it. Root keys are kept offline, so the server cannot
// renew the root by itself: people have to meet and sign a new one.
const rootWarning = 60 * 24 * time.Hour

// repositoryView is the update repository section of a product's page.
type repositoryView struct {
	URL       string // where TUF clients find the repository
	SetUp     bool   // a root is installed: the repository is served
	Root      rootView
	Roles     []roleView // the online roles' newest metadata
	RefreshAt time.Time  // when the server next re-signs an online role
	Keys      []keyView
	Targets   int // signed releases
	// KeysReady reports whether the server holds a usable key for every
	// online role; Pending counts keys waiting for a root that lists them.
	KeysReady bool
	Pending   int

	KeysForm, RotateForm, RootForm *form
	OnlineRoles                    []string
	MaxRoot                        string
}

// rootView is the installed root metadata.
type rootView struct {
	Version   int64
	Next      int64 // the version the next root must have
	Expires   time.Time
	Threshold int
	DaysLeft  int
	Soon      bool // expires within rootWarning
	Expired   bool
}

// roleView is the newest metadata of an online role.
type roleView struct {
	Name      string
	Version   int64
	Expires   time.Time
	Threshold int
	Expired   bool
}

// keyView is one online signing key.
type keyView struct {
	Role, KeyID, Short, State string
	CreatedAt                 time.Time
}

var (
	keysFields = []string{"roles"}
	fileFields = []string{"file"}
)

// newRepositoryView describes st for the product page at now; url is the
// repository's address.
func newRepositoryView(st service.RepositoryStatus, url string, now time.Time) *repositoryView {
	v := &repositoryView{URL: url, Targets: st.Targets, OnlineRoles: tufrepo.OnlineRoles, MaxRoot: humanBytes(tufrepo.MaxRootSize),
		KeysForm: newForm("keys", nil, keysFields...), RotateForm: newForm("rotate", nil, keysFields...), RootForm: newForm("root", nil, fileFields...)}
	if repo := st.Repository; repo != nil {
		v.SetUp = true
		v.RefreshAt = repo.RefreshAt
		left := repo.RootExpires.Sub(now)
		v.Root = rootView{Version: repo.RootVersion, Next: repo.RootVersion + 1, Expires: repo.RootExpires, Threshold: st.Roles[tufrepo.Root].Threshold,
			DaysLeft: int(left / (24 * time.Hour)), Soon: left > 0 && left <= rootWarning, Expired: left <= 0}
	}
	for _, role := range tufrepo.OnlineRoles {
		if r, ok := st.Roles[role]; ok {
			v.Roles = append(v.Roles, roleView{Name: role, Version: r.Version, Expires: r.Expires, Threshold: r.Threshold, Expired: !r.Expires.After(now)})
		}
	}
	ready := map[string]bool{}
	for _, k := range st.Keys {
		v.Keys = append(v.Keys, keyView{Role: k.Role, KeyID: k.KeyID, Short: shortID(k.KeyID, 16), State: k.State, CreatedAt: k.CreatedAt})
		if k.State == tufrepo.KeyActive || k.State == tufrepo.KeyPending {
			ready[k.Role] = true
		}
		if k.State == tufrepo.KeyPending {
			v.Pending++
		}
	}
	v.KeysReady = len(ready) == len(tufrepo.OnlineRoles)
	return v
}

// shortID abbreviates a key ID or hash for display, as the command line does.
func shortID(id string, n int) string {
	if len(id) <= n {
		return id
	}
	return id[:n] + "…"
}

// absoluteURL makes path absolute with the scheme and host the request
// came in on, which is how the member reaches this server.
func (u *UI) absoluteURL(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil || (u.cfg.TrustProxy && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")) {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

// createOnlineKeys makes the product's online signing keys: with no roles
// ticked, one for each online role that has none (the first setup), or a
// replacement for each role ticked (a rotation, from the "rotate" form).
func (u *UI) createOnlineKeys(w http.ResponseWriter, r *http.Request, m *member) {
	ctx := r.Context()
	key := r.PathValue("product")
	rotate := r.PostForm.Get("rotate") != ""
	id := "keys"
	if rotate {
		id = "rotate"
	}
	f := newForm(id, formValues(r, keysFields...), keysFields...)
	showForm := func(status int) {
		u.showProduct(w, r, m, status, func(v *productView) {
			if rotate {
				v.Repo.RotateForm = f
			} else {
				v.Repo.KeysForm = f
			}
		})
	}
	if rotate && len(f.Values["roles"]) == 0 {
		f.setError("roles", "choose at least one role to make a new key for")
		f.Problem = "Please correct the fields marked below."
		showForm(http.StatusBadRequest)
		return
	}
	// The first setup makes keys only for roles that lack one; count the
	// keys before, to tell the member when there was nothing to make.
	before := -1
	if !rotate {
		st, err := u.svc.UpdateRepository(ctx, m.P, key)
		if err != nil {
			u.fail(w, r, err)
			return
		}
		before = len(st.Keys)
	}
	st, err := u.svc.CreateOnlineKeys(ctx, m.P, key, f.Values["roles"])
	if err != nil {
		status, shown := f.fail(err, nil)
		if !shown {
			u.fail(w, r, err)
			return
		}
		showForm(status)
		return
	}
	done := "keys_created"
	if len(st.Keys) == before {
		done = "keys_exist"
	}
	redirectDone(w, r, "/ui/products/"+pathKey(key)+"#update-repository", done)
}

// installRoot installs root metadata signed offline, uploaded as a file.
// The file is small (a TUF root is at most tufrepo.MaxRootSize bytes), so
// it is read whole, but only after the form token is checked.
func (u *UI) installRoot(w http.ResponseWriter, r *http.Request, m *member) {
	key := r.PathValue("product")
	tooLarge := func(err error) error {
		return errs.Wrap(errs.TooLarge, err, "The root metadata file is larger than %s (%d bytes), the most a TUF root may be.", humanBytes(tufrepo.MaxRootSize), tufrepo.MaxRootSize).WithCode("root_too_large")
	}
	r.Body = http.MaxBytesReader(w, r.Body, tufrepo.MaxRootSize+maxUploadOverhead)
	f := newForm("root", url.Values{}, fileFields...)
	showForm := func(status int) {
		u.showProduct(w, r, m, status, func(v *productView) { v.Repo.RootForm = f })
	}
	part := u.filePart(w, r, m, f, tooLarge, "choose the signed root metadata file, such as 1.root.json", showForm)
	if part == nil {
		return
	}
	body, err := io.ReadAll(io.LimitReader(part, tufrepo.MaxRootSize+1))
	if err != nil {
		u.fail(w, r, readError(err, tooLarge))
		return
	}
	if len(body) > tufrepo.MaxRootSize {
		f.setError("file", "is larger than "+humanBytes(tufrepo.MaxRootSize)+", the most a TUF root may be")
		f.Problem = "Please correct the fields marked below."
		showForm(http.StatusRequestEntityTooLarge)
		return
	}
	if _, err := u.svc.InstallRoot(r.Context(), m.P, key, body); err != nil {
		status, shown := f.fail(err, map[string]string{"root": "file"})
		if !shown {
			u.fail(w, r, err)
			return
		}
		showForm(status)
		return
	}
	redirectDone(w, r, "/ui/products/"+pathKey(key)+"#update-repository", "root_installed")
}

// uploadImage streams a release's firmware image from the upload form to
// the service, which stores and hashes it on the way: the file is never
// held in memory or written anywhere else. The form token comes before the
// file in the form and is checked before the file is read.
func (u *UI) uploadImage(w http.ResponseWriter, r *http.Request, m *member) {
	key, version := r.PathValue("product"), r.PathValue("version")
	limit := u.cfg.MaxImageBytes
	tooLarge := func(err error) error {
		return errs.Wrap(errs.TooLarge, err, "The image is larger than %s, the most this server accepts.", humanBytes(limit)).WithCode("image_too_large")
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit+maxUploadOverhead)
	f := newForm("image", url.Values{}, fileFields...)
	showForm := func(status int) {
		u.showProduct(w, r, m, status, func(v *productView) { v.releaseForm(version, f) })
	}
	part := u.filePart(w, r, m, f, tooLarge, "choose the firmware image file to upload", showForm)
	if part == nil {
		return
	}
	file := &capReader{r: part, left: limit}
	_, err := u.svc.UploadImage(r.Context(), m.P, key, version, part.FileName(), file)
	var maxErr *http.MaxBytesError
	if file.over || errors.As(err, &maxErr) || errs.Is(err, errs.TooLarge) {
		msg := "is larger than " + humanBytes(limit) + ", the most this server accepts"
		if !file.over && maxErr == nil {
			msg = "is larger than the most this server stores" // the service's own, lower limit
		}
		f.setError("file", msg)
		f.Problem = "Please correct the fields marked below. Nothing was stored."
		showForm(http.StatusRequestEntityTooLarge)
		return
	}
	if err != nil {
		status, shown := f.fail(err, map[string]string{"file_name": "file", "image": "file"})
		if !shown {
			u.fail(w, r, err)
			return
		}
		showForm(status)
		return
	}
	redirectDone(w, r, "/ui/products/"+pathKey(key)+"#releases", "image_uploaded")
}

// signRelease signs a release's image into the product's update
// repository, from which devices can then fetch it.
func (u *UI) signRelease(w http.ResponseWriter, r *http.Request, m *member) {
	key, version := r.PathValue("product"), r.PathValue("version")
	if _, err := u.svc.SignRelease(r.Context(), m.P, key, version); err != nil {
		f := newForm("sign", nil)
		status, shown := f.fail(err, nil)
		if !shown {
			u.fail(w, r, err)
			return
		}
		u.showProduct(w, r, m, status, func(v *productView) { v.releaseProblem(version, f.Problem) })
		return
	}
	redirectDone(w, r, "/ui/products/"+pathKey(key)+"#releases", "release_signed")
}

// releaseRow finds a release listed on the page.
func (v *productView) releaseRow(version string) *releaseRow {
	i := slices.IndexFunc(v.Releases, func(r releaseRow) bool { return r.Version == version })
	if i < 0 {
		return nil
	}
	return &v.Releases[i]
}

// releaseForm shows a failed upload form on its release, or, when the
// release is not listed on the page, its problem at the top.
func (v *productView) releaseForm(version string, f *form) {
	row := v.releaseRow(version)
	if row == nil || row.SignedAt != nil {
		// The page shows no upload form for the release.
		msg := "The image was not stored. " + f.Problem
		if len(f.Errors) > 0 {
			msg = "The image was not stored: it " + strings.Join(mapValues(f.Errors), "; ") + "."
		}
		v.releaseProblem(version, msg)
		return
	}
	f.ID = row.Upload.ID
	row.Upload = f
}

// releaseProblem shows why an action on a release did not work.
func (v *productView) releaseProblem(version, problem string) {
	if row := v.releaseRow(version); row != nil {
		row.Problem = problem
		return
	}
	v.Problem = "Release " + version + ": " + problem
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	slices.Sort(out)
	return out
}
