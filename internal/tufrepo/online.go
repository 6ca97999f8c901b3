package tufrepo

import (
	"encoding/json"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// States of a server's online key.
const (
	KeyActive  = "active"  // listed in the current root
	KeyPending = "pending" // created, waiting for a root that lists it
	KeyRetired = "retired" // dropped by a later root; never used again
)

// OnlineKey is an online key as the server publishes it to the key holders
// who build the root offline.
type OnlineKey struct {
	Role      string          `json:"role"`
	KeyID     string          `json:"key_id"`
	Public    json.RawMessage `json:"public_key"` // TUF key object
	State     string          `json:"state"`
	CreatedAt time.Time       `json:"created_at"`
	RetiredAt *time.Time      `json:"retired_at,omitempty"`
}

// ChooseOnlineKeys picks the keys the next root gives each online role:
// the pending keys where a role has any (a new key replaces the old one —
// that is how an online key is rotated, for instance after a compromise),
// otherwise the active ones. Each role gets threshold 1: the server signs
// online roles alone.
func ChooseOnlineKeys(keys []OnlineKey) (map[string]RoleKeys, error) {
	out := map[string]RoleKeys{}
	for _, role := range OnlineRoles {
		var pending, active []*metadata.Key
		for _, k := range keys {
			if k.Role != role || (k.State != KeyPending && k.State != KeyActive) {
				continue
			}
			var key metadata.Key
			if err := json.Unmarshal(k.Public, &key); err != nil {
				return nil, refused("bad_online_key", "online %s key %s: %v", role, short(k.KeyID), err)
			}
			id, err := key.ID()
			if err != nil || id != k.KeyID {
				return nil, refused("bad_online_key", "online %s key %s does not match its key ID", role, short(k.KeyID))
			}
			if k.State == KeyPending {
				pending = append(pending, &key)
			} else {
				active = append(active, &key)
			}
		}
		chosen := active
		if len(pending) > 0 {
			chosen = pending
		}
		if len(chosen) == 0 {
			return nil, refused("no_online_key", "the server has no %s key yet: create one with `lifeline tuf keys create`", role)
		}
		out[role] = RoleKeys{Keys: chosen, Threshold: 1}
	}
	return out, nil
}
