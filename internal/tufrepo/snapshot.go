package tufrepo

import (
	"encoding/json"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// snapshotDoc and snapshotSigned read and write snapshot metadata with plain
// structs. go-tuf's own types keep unknown fields by decoding every entry
// twice, which made the snapshot of a 1,024-bin repository the largest cost
// of signing a release. Lifeline writes its snapshots itself, so it knows
// they hold no unknown fields.
type snapshotDoc struct {
	Signed struct {
		Version int64                `json:"version"`
		Expires time.Time            `json:"expires"`
		Meta    map[string]metaEntry `json:"meta"`
	} `json:"signed"`
}

type snapshotSigned struct {
	Type        string               `json:"_type"`
	SpecVersion string               `json:"spec_version"`
	Version     int64                `json:"version"`
	Expires     time.Time            `json:"expires"`
	Meta        map[string]metaEntry `json:"meta"`
}

type metaEntry struct {
	Version int64                        `json:"version"`
	Length  int64                        `json:"length,omitempty"`
	Hashes  map[string]metadata.HexBytes `json:"hashes,omitempty"`
}

func parseSnapshot(b []byte) (*snapshotDoc, error) {
	var d snapshotDoc
	if err := json.Unmarshal(b, &d); err != nil {
		return nil, err
	}
	if d.Signed.Meta == nil {
		d.Signed.Meta = map[string]metaEntry{}
	}
	return &d, nil
}
