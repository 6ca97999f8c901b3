package cli

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/lifeline-iot/lifeline/internal/agent/download"
	"github.com/lifeline-iot/lifeline/internal/tufrepo"
)

// Size limits for exported metadata, as go-tuf's client applies them.
const (
	maxRootBytes      = tufrepo.MaxRootSize
	maxTimestampBytes = 16 << 10
	maxSnapshotBytes  = 2 << 20
	maxTargetsBytes   = 64 << 20
	maxRootVersions   = 1024
)

// exporter copies a served repository into a directory.
type exporter struct {
	base     string // ends in "/"
	dir      string
	out      io.Writer
	maxImage int64
	http     http.Client
	files    int
	bytes    int64
}

func (e *exporter) run(ctx context.Context) (int, int64, error) {
	for _, d := range []string{"metadata", "targets"} {
		if err := os.MkdirAll(filepath.Join(e.dir, d), 0o755); err != nil {
			return 0, 0, err
		}
	}
	// Every root version, so a device that trusts any of them can walk the chain.
	for v := 1; ; v++ {
		if v > maxRootVersions {
			return 0, 0, fmt.Errorf("more than %d root versions", maxRootVersions)
		}
		name := strconv.Itoa(v) + ".root.json"
		b, err := e.get(ctx, "metadata/"+name, maxRootBytes)
		if errors.Is(err, errNotServed) && v > 1 {
			break
		}
		if err != nil {
			return 0, 0, err
		}
		if err := e.write("metadata/"+name, b); err != nil {
			return 0, 0, err
		}
	}
	tsBytes, err := e.get(ctx, "metadata/timestamp.json", maxTimestampBytes)
	if err != nil {
		return 0, 0, err
	}
	ts, err := metadata.Timestamp().FromBytes(tsBytes)
	if err != nil {
		return 0, 0, fmt.Errorf("timestamp.json: %w", err)
	}
	snapName := ts.Signed.Meta["snapshot.json"]
	if snapName == nil {
		return 0, 0, errors.New("timestamp.json names no snapshot")
	}
	snapFile := tufrepo.MetadataName(tufrepo.Snapshot, snapName.Version)
	snapBytes, err := e.get(ctx, "metadata/"+snapFile, maxSnapshotBytes)
	if err != nil {
		return 0, 0, err
	}
	if err := snapName.VerifyLengthHashes(snapBytes); err != nil {
		return 0, 0, fmt.Errorf("%s does not match timestamp.json: %w", snapFile, err)
	}
	snap, err := metadata.Snapshot().FromBytes(snapBytes)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", snapFile, err)
	}
	tmeta := snap.Signed.Meta["targets.json"]
	if tmeta == nil {
		return 0, 0, errors.New("the snapshot names no targets")
	}
	targetsFile := tufrepo.MetadataName(tufrepo.Targets, tmeta.Version)
	targetsBytes, err := e.get(ctx, "metadata/"+targetsFile, maxTargetsBytes)
	if err != nil {
		return 0, 0, err
	}
	if err := tmeta.VerifyLengthHashes(targetsBytes); err != nil {
		return 0, 0, fmt.Errorf("%s does not match the snapshot: %w", targetsFile, err)
	}
	targets, err := metadata.Targets().FromBytes(targetsBytes)
	if err != nil {
		return 0, 0, fmt.Errorf("%s: %w", targetsFile, err)
	}

	// Images first, then metadata, timestamp last: a mirror serving the
	// directory while it is written never names a file it lacks.
	names := make([]string, 0, len(targets.Signed.Targets))
	for p := range targets.Signed.Targets {
		names = append(names, p)
	}
	sort.Strings(names)
	for i, p := range names {
		tf := targets.Signed.Targets[p]
		if err := tufrepo.ValidTargetPath(p); err != nil {
			return 0, 0, err
		}
		dir, base := path.Split(p)
		served := dir + hex.EncodeToString(tf.Hashes["sha256"]) + "." + base
		dest := filepath.Join(e.dir, "targets", filepath.FromSlash(served))
		if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
			return 0, 0, err
		}
		if download.VerifyFile(dest, tf) != nil {
			fmt.Fprintf(e.out, "[%d/%d] %s (%s)\n", i+1, len(names), p, humanBytes(tf.Length))
			res, err := download.Fetch(ctx, &e.http, e.base+"targets/"+served, tf, dest, download.Options{MaxLength: e.maxImage})
			if err != nil {
				return 0, 0, fmt.Errorf("%s: %w", p, err)
			}
			e.files++
			e.bytes += res.Downloaded + res.Resumed
		}
		// Clients may ask for the image under any hash the metadata lists.
		for alg, digest := range tf.Hashes {
			if alg == "sha256" {
				continue
			}
			alias := filepath.Join(filepath.Dir(dest), hex.EncodeToString(digest)+"."+base)
			if _, err := os.Stat(alias); err == nil {
				continue
			}
			if err := os.Link(dest, alias); err != nil {
				return 0, 0, fmt.Errorf("%s: %w", p, err)
			}
		}
	}
	for _, f := range []struct {
		name string
		body []byte
	}{{snapFile, snapBytes}, {targetsFile, targetsBytes}, {"timestamp.json", tsBytes}} {
		if err := e.write("metadata/"+f.name, f.body); err != nil {
			return 0, 0, err
		}
	}
	return e.files, e.bytes, nil
}

var errNotServed = errors.New("not served")

// get fetches a file of the repository, refusing more than limit bytes.
func (e *exporter) get(ctx context.Context, name string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, "GET", e.base+name, nil)
	if err != nil {
		return nil, err
	}
	resp, err := e.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, fmt.Errorf("%s: %w", name, errNotServed)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: the server answered %s", name, resp.Status)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", name, limit)
	}
	return b, nil
}

// write stores a file atomically.
func (e *exporter) write(name string, b []byte) error {
	dest := filepath.Join(e.dir, filepath.FromSlash(name))
	tmp := dest + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp, dest); err != nil {
		return err
	}
	e.files++
	e.bytes += int64(len(b))
	return nil
}
