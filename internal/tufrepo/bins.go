package tufrepo

import (
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// BinThreshold is the number of targets above which a repository moves
// them from the top-level targets metadata into hash bins. 2,048 targets
// make about 1 MB of targets metadata; beyond that every release would
// re-sign and every device re-download an ever larger file.
const BinThreshold = 2048

// BinBits is log2 of the number of hash bins. 1,024 bins keep each bin
// under 1 MB up to about two million targets, and make the snapshot, which
// names every bin, about 40 KB.
const BinBits = 10

// BinPrefix names the bins: "bin-000" … "bin-3ff".
const BinPrefix = "bin"

// IsBinRole reports whether role names a hash bin of BinBits bits.
func IsBinRole(role string) bool {
	s := &metadata.SuccinctRoles{BitLength: BinBits, NamePrefix: BinPrefix}
	return s.IsDelegatedRole(role)
}

func binName(s *metadata.SuccinctRoles, path string) string {
	return s.GetRolesForTarget(path)[0].Name
}

// binsOf lists the bins a change touches: every bin when all must be
// re-signed, else those holding an added or removed path.
func binsOf(s *metadata.SuccinctRoles, change Change, all bool) []string {
	if all {
		return s.GetRoles()
	}
	set := map[string]bool{}
	for _, t := range change.Add {
		set[binName(s, t.Path)] = true
	}
	for _, p := range change.Remove {
		set[binName(s, p)] = true
	}
	return slices.Sorted(maps.Keys(set))
}

// NeededBins says which hash bins Next needs in Current.Bins for change at
// now: none for a repository without bins.
func NeededBins(targetsJSON []byte, change Change, now time.Time, pol Policy) ([]string, error) {
	if len(targetsJSON) == 0 {
		return nil, nil
	}
	t, err := metadata.Targets().FromBytes(targetsJSON)
	if err != nil {
		return nil, fmt.Errorf("stored targets: %w", err)
	}
	if t.Signed.Delegations == nil || t.Signed.Delegations.SuccinctRoles == nil {
		return nil, nil
	}
	all := change.forced(Targets) || dueForRefresh(t.Signed.Expires, now.UTC().Truncate(time.Second), pol.Targets)
	return binsOf(t.Signed.Delegations.SuccinctRoles, change, all), nil
}

// binDelegations delegates every target to succinct hash bins signed by
// the targets role's own keys.
func binDelegations(root *metadata.Metadata[metadata.RootType], bits int) *metadata.Delegations {
	role := root.Signed.Roles[Targets]
	keys := map[string]*metadata.Key{}
	for _, id := range role.KeyIDs {
		keys[id] = root.Signed.Keys[id]
	}
	return &metadata.Delegations{
		Keys: keys,
		SuccinctRoles: &metadata.SuccinctRoles{
			KeyIDs: slices.Clone(role.KeyIDs), Threshold: role.Threshold, BitLength: bits, NamePrefix: BinPrefix,
		},
	}
}

// splitIntoBins moves a flat target list into hash bins: a new top-level
// targets that only delegates, and every bin, each at version 1 (or one
// past any earlier file of the same name would need a re-split, which
// Lifeline never does).
func splitIntoBins(prev *metadata.Metadata[metadata.TargetsType], all map[string]*metadata.TargetFiles, root *metadata.Metadata[metadata.RootType], now time.Time, pol Policy, signers Signers) ([]File, error) {
	top := newTargets(prev, now, pol)
	top.Signed.Delegations = binDelegations(root, BinBits)
	succinct := top.Signed.Delegations.SuccinctRoles
	bins := map[string]map[string]*metadata.TargetFiles{}
	for _, name := range succinct.GetRoles() {
		bins[name] = map[string]*metadata.TargetFiles{}
	}
	for p, tf := range all {
		bins[binName(succinct, p)][p] = tf
	}
	f, err := sign(root, Targets, Targets, top, signers)
	if err != nil {
		return nil, err
	}
	out := []File{f}
	for _, name := range succinct.GetRoles() {
		bin := metadata.Targets(now.Add(pol.Targets))
		bin.Signed.Version = 1
		bin.Signed.Targets = bins[name]
		f, err := signDelegated(top, name, bin, signers)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}
