package service

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/audit"
	"github.com/lifeline-iot/lifeline/internal/blob"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/secretbox"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/tufrepo"
)

// Updates is what secure firmware delivery needs: where images live, the
// box that seals online signing keys, and how long metadata lives.
type Updates struct {
	Blobs        blob.Store
	Secrets      *secretbox.Box
	Policy       tufrepo.Policy
	MaxImageSize int64 // bytes; 0 means DefaultMaxImageSize
	// PollInterval is how often devices check in (default DefaultPollInterval).
	PollInterval time.Duration
}

// DefaultMaxImageSize bounds a firmware image: 8 GiB.
const DefaultMaxImageSize = 8 << 30

// WithUpdates enables firmware delivery. Without it, update operations
// answer errs.Unavailable.
func (s *Service) WithUpdates(u Updates) *Service {
	if u.Policy == (tufrepo.Policy{}) {
		u.Policy = tufrepo.DefaultPolicy
	}
	if u.MaxImageSize <= 0 {
		u.MaxImageSize = DefaultMaxImageSize
	}
	s.updates = u
	return s
}

func (s *Service) updatesReady() error {
	if s.updates.Blobs == nil || s.updates.Secrets == nil {
		return errs.E(errs.Unavailable, "firmware updates are not configured on this server").WithCode("updates_unavailable")
	}
	return nil
}

// RepositoryStatus describes a product's update repository for its owners.
type RepositoryStatus struct {
	Product string `json:"product"` // slug
	// Path is the repository's base path on this server; TUF clients use
	// Path+"metadata/" and Path+"targets/".
	Path       string                `json:"path"`
	Repository *store.TUFRepository  `json:"repository,omitempty"` // nil until the first root
	Keys       []tufrepo.OnlineKey   `json:"online_keys"`
	Roles      map[string]RoleStatus `json:"roles,omitempty"`
	Targets    int                   `json:"signed_targets"`
}

// RoleStatus is the newest metadata of one role.
type RoleStatus struct {
	Version   int64     `json:"version"`
	Expires   time.Time `json:"expires"`
	Threshold int       `json:"threshold"`
}

// RepositoryPath is where a product's repository is served.
func RepositoryPath(orgSlug, productSlug string) string {
	return "/tuf/" + orgSlug + "/" + productSlug + "/"
}

// UpdateRepository returns a product's update repository status.
func (s *Service) UpdateRepository(ctx context.Context, p access.Principal, productKey string) (RepositoryStatus, error) {
	os, prod, err := s.productIn(ctx, p, access.ReadRegistry, productKey)
	if err != nil {
		return RepositoryStatus{}, err
	}
	return s.repositoryStatus(ctx, os, prod)
}

func (s *Service) repositoryStatus(ctx context.Context, os store.OrgStore, prod registry.Product) (RepositoryStatus, error) {
	org, err := os.Organisation(ctx)
	if err != nil {
		return RepositoryStatus{}, err
	}
	st := RepositoryStatus{Product: prod.Slug, Path: RepositoryPath(org.Slug, prod.Slug), Keys: []tufrepo.OnlineKey{}}
	keys, err := os.TUFKeys(ctx, prod.ID)
	if err != nil {
		return st, err
	}
	var root *metadata.Metadata[metadata.RootType]
	repo, err := os.TUFRepository(ctx, prod.ID)
	switch {
	case err == nil:
		st.Repository = &repo
		m, err := os.TUFMetadata(ctx, prod.ID, tufrepo.Root, 0)
		if err != nil {
			return st, err
		}
		if root, err = metadata.Root().FromBytes(m.Body); err != nil {
			return st, errs.Wrap(errs.Internal, err, "stored root")
		}
		st.Roles = map[string]RoleStatus{tufrepo.Root: {Version: m.Version, Expires: m.Expires, Threshold: root.Signed.Roles[tufrepo.Root].Threshold}}
		for _, role := range tufrepo.OnlineRoles {
			if m, err := os.TUFMetadata(ctx, prod.ID, role, 0); err == nil {
				st.Roles[role] = RoleStatus{Version: m.Version, Expires: m.Expires, Threshold: root.Signed.Roles[role].Threshold}
			}
		}
	case !errs.Is(err, errs.NotFound):
		return st, err
	}
	for _, k := range keys {
		state := tufrepo.KeyPending
		switch {
		case k.RetiredAt != nil:
			state = tufrepo.KeyRetired
		case root != nil && slices.Contains(root.Signed.Roles[k.Role].KeyIDs, k.KeyID):
			state = tufrepo.KeyActive
		}
		st.Keys = append(st.Keys, tufrepo.OnlineKey{Role: k.Role, KeyID: k.KeyID, Public: k.PublicKey, State: state, CreatedAt: k.CreatedAt, RetiredAt: k.RetiredAt})
	}
	signed, err := os.SignedReleases(ctx, prod.ID)
	st.Targets = len(signed)
	return st, err
}

// CreateOnlineKeys makes new online signing keys for a product's
// repository: one for each role named, or, with no roles, one for each
// online role that has no usable key yet. New keys are pending until a root
// that lists them is installed; that is how online keys are rotated.
func (s *Service) CreateOnlineKeys(ctx context.Context, p access.Principal, productKey string, roles []string) (RepositoryStatus, error) {
	if err := s.updatesReady(); err != nil {
		return RepositoryStatus{}, err
	}
	orgID, err := s.scope(p, access.ManageUpdateKeys)
	if err != nil {
		return RepositoryStatus{}, err
	}
	for _, r := range roles {
		if !tufrepo.IsOnlineRole(r) {
			return RepositoryStatus{}, errs.Invalidf("roles", "%q is not an online role (targets, snapshot or timestamp); root keys stay offline", r)
		}
	}
	var st RepositoryStatus
	err = s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		prod, err := os.Product(ctx, productKey)
		if err != nil {
			return nil, err
		}
		existing, err := os.TUFKeys(ctx, prod.ID)
		if err != nil {
			return nil, err
		}
		want := roles
		if len(want) == 0 {
			for _, role := range tufrepo.OnlineRoles {
				if !slices.ContainsFunc(existing, func(k store.TUFKey) bool { return k.Role == role && k.RetiredAt == nil }) {
					want = append(want, role)
				}
			}
		}
		var made []string
		for _, role := range want {
			k, err := s.newOnlineKey(prod.ID, role)
			if err != nil {
				return nil, err
			}
			if err := os.CreateTUFKey(ctx, &k); err != nil {
				return nil, err
			}
			made = append(made, role+" "+k.KeyID)
		}
		if st, err = s.repositoryStatus(ctx, os, prod); err != nil {
			return nil, err
		}
		if len(made) == 0 {
			return nil, nil
		}
		return s.event(p, "update_keys.create", "product", prod.ID, "created online signing keys for "+prod.Name, map[string]any{"keys": made}), nil
	})
	return st, err
}

func (s *Service) newOnlineKey(productID, role string) (store.TUFKey, error) {
	kp, err := tufrepo.GenerateKey(rand.Reader)
	if err != nil {
		return store.TUFKey{}, err
	}
	pub, err := json.Marshal(kp.Public)
	if err != nil {
		return store.TUFKey{}, err
	}
	return store.TUFKey{
		ID: ids.New(), ProductID: productID, Role: role, KeyID: kp.ID, PublicKey: pub,
		Sealed: s.updates.Secrets.Seal(kp.Private, keyAD(productID, role, kp.ID)), CreatedAt: s.clock.Now(),
	}, nil
}

// keyAD binds a sealed key to its product, role and key ID, so a sealed key
// copied to another row does not open.
func keyAD(productID, role, keyID string) []byte {
	return []byte("lifeline tuf key\x00" + productID + "\x00" + role + "\x00" + keyID)
}

// InstallRoot verifies and installs new root metadata for a product's
// repository, then re-signs the online roles under it. The first root must
// be version 1 and signed by its own root threshold; each later root must be
// the next version and signed by the thresholds of both the current root and
// itself. The root may list only online keys this server holds. Keys of the
// old root that the new one drops are retired.
func (s *Service) InstallRoot(ctx context.Context, p access.Principal, productKey string, rootJSON []byte) (RepositoryStatus, error) {
	if err := s.updatesReady(); err != nil {
		return RepositoryStatus{}, err
	}
	orgID, err := s.scope(p, access.ManageUpdateKeys)
	if err != nil {
		return RepositoryStatus{}, err
	}
	var st RepositoryStatus
	err = s.inOrg(ctx, orgID, func(os store.OrgStore) (*audit.Event, error) {
		prod, err := os.Product(ctx, productKey)
		if err != nil {
			return nil, err
		}
		now := s.clock.Now()
		var trusted []byte
		var oldRoot *metadata.Metadata[metadata.RootType]
		if m, err := os.TUFMetadata(ctx, prod.ID, tufrepo.Root, 0); err == nil {
			trusted = m.Body
			oldRoot, _ = metadata.Root().FromBytes(m.Body)
		} else if !errs.Is(err, errs.NotFound) {
			return nil, err
		}
		root, err := tufrepo.VerifyRoot(trusted, rootJSON, now)
		if err != nil {
			return nil, err
		}
		keys, err := os.TUFKeys(ctx, prod.ID)
		if err != nil {
			return nil, err
		}
		held := map[string][]string{}
		for _, k := range keys {
			if k.RetiredAt == nil {
				held[k.Role] = append(held[k.Role], k.KeyID)
			}
		}
		if err := tufrepo.CheckOnlineKeys(root, held); err != nil {
			return nil, err
		}
		if err := os.AddTUFMetadata(ctx, prod.ID, []store.TUFMetadata{{
			Role: tufrepo.Root, Version: root.Signed.Version, Expires: root.Signed.Expires, Body: rootJSON, CreatedAt: now,
		}}); err != nil {
			return nil, err
		}
		// Retire keys the new root no longer lists for their role.
		var resign []string
		for _, role := range tufrepo.OnlineRoles {
			if oldRoot == nil || !slices.Equal(oldRoot.Signed.Roles[role].KeyIDs, root.Signed.Roles[role].KeyIDs) ||
				oldRoot.Signed.Roles[role].Threshold != root.Signed.Roles[role].Threshold {
				resign = append(resign, role)
			}
			if oldRoot == nil {
				continue
			}
			for _, id := range oldRoot.Signed.Roles[role].KeyIDs {
				if !slices.Contains(root.Signed.Roles[role].KeyIDs, id) && slices.Contains(held[role], id) {
					if err := os.RetireTUFKey(ctx, prod.ID, id, now); err != nil {
						return nil, err
					}
				}
			}
		}
		var created time.Time
		if repo, err := os.TUFRepository(ctx, prod.ID); err == nil {
			created = repo.CreatedAt
		} else {
			created = now
		}
		repo := store.TUFRepository{ProductID: prod.ID, RootVersion: root.Signed.Version, RootExpires: root.Signed.Expires, CreatedAt: created, UpdatedAt: now}
		if err := s.publish(ctx, os, prod, &repo, tufrepo.Change{Resign: resign}); err != nil {
			return nil, err
		}
		if st, err = s.repositoryStatus(ctx, os, prod); err != nil {
			return nil, err
		}
		action, summary := "update_root.install", "installed the first root of the update repository of "+prod.Name
		if oldRoot != nil {
			action, summary = "update_root.rotate", "installed root version "+strconv.FormatInt(root.Signed.Version, 10)+" of the update repository of "+prod.Name
		}
		return s.event(p, action, "product", prod.ID, summary, map[string]any{"root_version": root.Signed.Version, "expires": root.Signed.Expires, "resigned": resign}), nil
	})
	return st, err
}

// publish signs what change asks for with the keys the current root lists,
// stores the new metadata and records when the repository is next due.
// It runs inside the caller's transaction.
func (s *Service) publish(ctx context.Context, os store.OrgStore, prod registry.Product, repo *store.TUFRepository, change tufrepo.Change) error {
	cur, err := s.currentMetadata(ctx, os, prod.ID)
	if err != nil {
		return err
	}
	signers, err := s.signers(ctx, os, prod.ID, cur.Root)
	if err != nil {
		return err
	}
	now := s.clock.Now()
	bins, err := tufrepo.NeededBins(cur.Targets, change, now, s.updates.Policy)
	if err != nil {
		return err
	}
	cur.Bins = make(map[string][]byte, len(bins))
	for _, name := range bins {
		m, err := os.TUFMetadata(ctx, prod.ID, name, 0)
		if err != nil {
			return err
		}
		cur.Bins[name] = m.Body
	}
	files, err := tufrepo.Next(cur, change, now, s.updates.Policy, signers)
	if err != nil {
		return err
	}
	stored := make([]store.TUFMetadata, len(files))
	for i, f := range files {
		stored[i] = store.TUFMetadata{Role: f.Role, Version: f.Version, Expires: f.Expires, Body: f.Body, CreatedAt: now}
		switch f.Role {
		case tufrepo.Targets:
			cur.Targets = f.Body
		case tufrepo.Snapshot:
			cur.Snapshot = f.Body
		case tufrepo.Timestamp:
			cur.Timestamp = f.Body
		}
	}
	if err := os.AddTUFMetadata(ctx, prod.ID, stored); err != nil {
		return err
	}
	if org, err := os.Organisation(ctx); err == nil {
		s.repoCache.drop(metadataCacheKey(org.Slug, prod.Slug, "timestamp.json"))
	}
	if repo.RefreshAt, err = tufrepo.RefreshAt(cur, s.updates.Policy); err != nil {
		return err
	}
	repo.UpdatedAt = now
	return os.PutTUFRepository(ctx, *repo)
}

func (s *Service) currentMetadata(ctx context.Context, os store.OrgStore, productID string) (tufrepo.Current, error) {
	var cur tufrepo.Current
	for _, r := range []struct {
		role string
		dst  *[]byte
	}{{tufrepo.Root, &cur.Root}, {tufrepo.Targets, &cur.Targets}, {tufrepo.Snapshot, &cur.Snapshot}, {tufrepo.Timestamp, &cur.Timestamp}} {
		m, err := os.TUFMetadata(ctx, productID, r.role, 0)
		if errs.Is(err, errs.NotFound) {
			if r.role == tufrepo.Root {
				return cur, errs.E(errs.Conflict, "the product has no update repository yet: create its keys and install its first root metadata").WithCode("repository_not_found")
			}
			continue
		}
		if err != nil {
			return cur, err
		}
		*r.dst = m.Body
	}
	return cur, nil
}

// signers opens the online keys the root lists for each online role.
func (s *Service) signers(ctx context.Context, os store.OrgStore, productID string, rootJSON []byte) (tufrepo.Signers, error) {
	root, err := metadata.Root().FromBytes(rootJSON)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "stored root")
	}
	keys, err := os.TUFKeys(ctx, productID)
	if err != nil {
		return nil, err
	}
	out := tufrepo.Signers{}
	for _, k := range keys {
		if k.RetiredAt != nil || !slices.Contains(root.Signed.Roles[k.Role].KeyIDs, k.KeyID) {
			continue
		}
		priv, err := s.updates.Secrets.Open(k.Sealed, keyAD(productID, k.Role, k.KeyID))
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "open the %s key %s", k.Role, k.KeyID)
		}
		kp, err := tufrepo.KeyPairFromPrivate(ed25519.PrivateKey(priv))
		if err != nil {
			return nil, errs.Wrap(errs.Internal, err, "the %s key %s", k.Role, k.KeyID)
		}
		out[k.Role] = append(out[k.Role], kp.Signer())
	}
	return out, nil
}
