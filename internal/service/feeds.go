package service

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/advisory"
	"github.com/lifeline-iot/lifeline/internal/advisory/csaf"
	"github.com/lifeline-iot/lifeline/internal/advisory/kev"
	"github.com/lifeline-iot/lifeline/internal/advisory/nvd"
	"github.com/lifeline-iot/lifeline/internal/advisory/osv"
	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/vulnmatch"
)

// Feed kinds.
const (
	FeedOSV  = "osv"
	FeedNVD  = "nvd"
	FeedCSAF = "csaf"
	FeedKEV  = "kev"
)

// FeedKinds lists the feed kinds Lifeline reads.
var FeedKinds = []string{FeedOSV, FeedNVD, FeedCSAF, FeedKEV}

// maxFeedDownload bounds one download per feed kind.
var maxFeedDownload = map[string]int64{FeedOSV: 2 << 30, FeedNVD: 4 << 30, FeedCSAF: 16 << 20, FeedKEV: 64 << 20}

// FeedSpec names a feed and where to read it: a local file or directory,
// or an http(s) URL.
type FeedSpec struct {
	Name     string `json:"name"`
	Kind     string `json:"kind"`
	Location string `json:"location"`
	Full     bool   `json:"full,omitempty"` // ignore the last import's position and read everything
}

// ImportProgress reports an import as it runs.
type ImportProgress struct {
	Feed      string `json:"feed"`
	Phase     string `json:"phase"` // "download", "read", "match", "done"
	Records   int    `json:"records"`
	Unchanged int    `json:"unchanged"`
	Errors    int    `json:"errors"`
	Bytes     int64  `json:"bytes,omitempty"`
}

// FeedResult is how an import went.
type FeedResult struct {
	Feed        store.Feed           `json:"feed"`
	Stats       advisory.ImportStats `json:"stats"`
	Vulns       int                  `json:"vulnerabilities_changed"`
	NewFindings int                  `json:"new_findings"`
	Duration    time.Duration        `json:"duration_ns"`
}

// feedLease bounds how long one server may hold a feed's import before
// another may take it over (after a crash).
const feedLease = 2 * time.Hour

// importOverlap is how far before its last position an incremental import
// starts reading again.
const importOverlap = 48 * time.Hour

// refreshStatisticsAfter is the import size after which the planner's
// statistics are refreshed before rematching.
const refreshStatisticsAfter = 10_000

// importBatch is how many records are written per transaction.
const importBatch = 1000

// fullRematchAbove is the number of changed vulnerabilities beyond which
// one full rematch per organisation is cheaper than rematching each.
const fullRematchAbove = 5000

// vulnID picks the id a record's vulnerability is known by: its CVE id
// when it has exactly one, else its own id. Records with one CVE among
// their ids (GHSA, OSV distribution records, vendor advisories) so merge
// with the NVD record and with each other.
func vulnID(a *advisory.Advisory) string {
	if strings.HasPrefix(a.ID, "CVE-") {
		return a.ID
	}
	var cve string
	for _, id := range a.Aliases {
		if strings.HasPrefix(id, "CVE-") {
			if cve != "" && cve != id {
				return a.ID
			}
			cve = id
		}
	}
	if cve != "" {
		return cve
	}
	return a.ID
}

func advisoryRecord(a *advisory.Advisory) (store.AdvisoryRecord, error) {
	a.NormaliseAliases()
	doc, err := json.Marshal(a)
	if err != nil {
		return store.AdvisoryRecord{}, err
	}
	var keys []string
	for _, af := range a.Affected {
		keys = append(keys, vulnmatch.AffectedKeys(af)...)
	}
	summary := a.Summary
	if len(summary) > 300 {
		summary = summary[:300]
	}
	return store.AdvisoryRecord{Source: string(a.Source), ID: a.ID, VulnID: vulnID(a), IDs: a.IDs(), Keys: keys, Modified: a.Modified,
		Withdrawn: !a.Withdrawn.IsZero(), Score: a.MaxScore(), Exploited: a.Exploited != nil, Summary: summary, Document: doc}, nil
}

// ImportFeed reads a feed into the shared advisory store and rematches
// what changed. Only site administrators may import: advisories are
// shared by every organisation.
func (s *Service) ImportFeed(ctx context.Context, p access.Principal, spec FeedSpec, progress func(ImportProgress)) (FeedResult, error) {
	if err := checkFeedSpec(p, spec); err != nil {
		return FeedResult{}, err
	}
	if progress == nil {
		progress = func(ImportProgress) {}
	}
	start := s.clock.Now()
	feed, err := s.store.Advisories().Feed(ctx, spec.Name)
	if errs.KindOf(err) == errs.NotFound {
		feed, err = store.Feed{Name: spec.Name}, nil
	}
	if err != nil {
		return FeedResult{}, err
	}
	if feed.Kind != "" && feed.Kind != spec.Kind {
		return FeedResult{}, errs.E(errs.Conflict, "feed %s is a %s feed, not %s", spec.Name, feed.Kind, spec.Kind).WithCode("feed_kind_mismatch")
	}
	// An incremental import reads from a little before the newest change it
	// saw last time: feeds publish records late with earlier times, and
	// several records share a time. KEV dates are days and the catalogue is
	// small, so it is read whole. Records that did not change are not
	// written again (PutAdvisories compares modification times).
	var since time.Time
	if feed.MaxModified != nil && !spec.Full && spec.Kind != FeedKEV {
		since = feed.MaxModified.Add(-importOverlap)
	}
	feed.Kind, feed.Location, feed.LastStarted = spec.Kind, spec.Location, &start

	claimed, err := s.store.Advisories().ClaimFeed(ctx, spec.Name, start, feedLease)
	if err != nil {
		return FeedResult{}, err
	}
	if !claimed {
		return FeedResult{}, errs.E(errs.Conflict, "feed %s is being imported already", spec.Name).WithCode("feed_import_running")
	}
	defer func() { _ = s.store.Advisories().ReleaseFeed(context.WithoutCancel(ctx), spec.Name) }()

	path, cleanup, err := s.fetchFeed(ctx, spec, progress)
	if err != nil {
		return FeedResult{}, err
	}
	defer cleanup()

	res := FeedResult{}
	changed := map[string]bool{}
	var batch []store.AdvisoryRecord
	inBatch := map[string]bool{}
	var written int
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		err := s.store.Tx(ctx, func(q store.Queries) error {
			put, err := q.Advisories().PutAdvisories(ctx, batch)
			if err == nil {
				written += len(put.Written)
				for _, v := range put.ChangedVulns {
					changed[v] = true
				}
			}
			return err
		})
		batch = batch[:0]
		clear(inBatch)
		return err
	}
	records := 0
	add := func(a *advisory.Advisory) error {
		r, err := advisoryRecord(a)
		if err != nil {
			return err
		}
		if inBatch[r.Source+"\x00"+r.ID] { // a feed may repeat a record; the later one wins
			if err := flush(); err != nil {
				return err
			}
		}
		inBatch[r.Source+"\x00"+r.ID] = true
		batch = append(batch, r)
		records++
		if records%importBatch == 0 {
			progress(ImportProgress{Feed: spec.Name, Phase: "read", Records: records})
			return flush()
		}
		return nil
	}
	stats, err := readFeed(spec.Kind, path, since, add)
	if err == nil {
		err = flush()
	}
	// Records read again but unchanged (the overlap of an incremental
	// import, a KEV catalogue read whole) count as unchanged.
	stats.Unchanged += records - written
	stats.Records = written
	res.Stats = stats
	if err != nil {
		feed.LastError = errs.Public(err).Message
		_ = s.store.Advisories().PutFeed(context.WithoutCancel(ctx), feed)
		return res, err
	}
	if written >= refreshStatisticsAfter {
		if err := s.store.Advisories().RefreshStatistics(ctx); err != nil {
			return res, err
		}
	}
	progress(ImportProgress{Feed: spec.Name, Phase: "match", Records: written, Unchanged: stats.Unchanged, Errors: stats.ErrorCount})

	vulns := make([]string, 0, len(changed))
	for v := range changed {
		vulns = append(vulns, v)
	}
	res.Vulns = len(vulns)
	if len(vulns) > fullRematchAbove {
		err = s.eachOrganisation(ctx, func(orgID string) error {
			r, _, err := s.RematchAll(ctx, orgID)
			res.NewFindings += len(r.Added)
			return err
		})
	} else {
		var changed map[string]store.SyncResult
		changed, err = s.rematchVulns(ctx, vulns)
		for _, c := range changed {
			res.NewFindings += len(c.Added)
		}
	}
	if err != nil {
		return res, err
	}

	end := s.clock.Now()
	feed.LastFinished = &end
	if !stats.MaxModified.IsZero() && (feed.MaxModified == nil || stats.MaxModified.After(*feed.MaxModified)) {
		mm := stats.MaxModified
		feed.MaxModified = &mm
	}
	feed.Records, feed.ErrorCount, feed.LastError = written, stats.ErrorCount, ""
	if len(stats.Errors) > 0 {
		feed.LastError = stats.Errors[0]
	}
	if err := s.store.Tx(ctx, func(q store.Queries) error {
		if err := q.Advisories().PutFeed(ctx, feed); err != nil {
			return err
		}
		return q.Directory().AppendSiteAudit(ctx, s.event(p, "feed.import", "feed", spec.Name,
			fmt.Sprintf("imported %d advisory records from %s feed %s", written, spec.Kind, spec.Name),
			map[string]any{"location": spec.Location, "records": written, "unchanged": stats.Unchanged, "errors": stats.ErrorCount}))
	}); err != nil {
		return res, err
	}
	res.Feed, res.Duration = feed, end.Sub(start)
	progress(ImportProgress{Feed: spec.Name, Phase: "done", Records: written, Unchanged: stats.Unchanged, Errors: stats.ErrorCount})
	return res, nil
}

// checkFeedSpec checks that p may import feeds and that spec is well formed.
func checkFeedSpec(p access.Principal, spec FeedSpec) error {
	if !p.CanAdminSite() {
		return errs.E(errs.PermissionDenied, "only site administrators import advisory feeds").WithCode("permission_denied")
	}
	var fe errs.Fields
	fe.Check(spec.Name != "" && len(spec.Name) <= 64 && !strings.ContainsAny(spec.Name, " /\\"), "name", "is required: up to 64 characters without spaces or slashes")
	fe.Check(slices.Contains(FeedKinds, spec.Kind), "kind", "must be one of osv, nvd, csaf, kev")
	fe.Check(spec.Location != "", "location", "is required: a file, a directory or an http(s) URL")
	if u, err := url.Parse(spec.Location); err == nil && u.User != nil {
		fe.Add("location", "must not hold a user name or password: they would be stored and logged; use a mirror that needs none")
	}
	return fe.Err()
}

// fetchFeed returns a local path for the feed: the location itself, or a
// temporary copy of a URL, downloaded with a size limit.
func (s *Service) fetchFeed(ctx context.Context, spec FeedSpec, progress func(ImportProgress)) (string, func(), error) {
	if !strings.HasPrefix(spec.Location, "http://") && !strings.HasPrefix(spec.Location, "https://") {
		if _, err := os.Stat(spec.Location); err != nil {
			return "", nil, errs.E(errs.Invalid, "cannot read %s: %v", spec.Location, errorText(err)).WithCode("feed_unreadable")
		}
		return spec.Location, func() {}, nil
	}
	limit := maxFeedDownload[spec.Kind]
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, spec.Location, nil)
	if err != nil {
		return "", nil, errs.E(errs.Invalid, "bad feed URL %s", spec.Location)
	}
	resp, err := s.feedClient().Do(req)
	if err != nil {
		return "", nil, errs.Wrap(errs.Unavailable, err, "cannot download %s", spec.Location)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", nil, errs.E(errs.Unavailable, "downloading %s: the server answered %s", spec.Location, resp.Status)
	}
	f, err := os.CreateTemp("", "lifeline-feed-*"+filepath.Ext(req.URL.Path))
	if err != nil {
		return "", nil, err
	}
	cleanup := func() { f.Close(); os.Remove(f.Name()) }
	n, err := io.Copy(f, &progressReader{r: io.LimitReader(resp.Body, limit+1), fn: func(n int64) {
		progress(ImportProgress{Feed: spec.Name, Phase: "download", Bytes: n})
	}})
	if err == nil && n > limit {
		err = errs.E(errs.TooLarge, "%s is larger than the %d-byte limit for %s feeds", spec.Location, limit, spec.Kind)
	}
	if err != nil {
		cleanup()
		return "", nil, err
	}
	return f.Name(), cleanup, nil
}

func errorText(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

// feedClient is the HTTP client for feed downloads.
func (s *Service) feedClient() *http.Client {
	return &http.Client{Timeout: 30 * time.Minute}
}

// progressReader reports bytes read every 8 MiB.
type progressReader struct {
	r    io.Reader
	n    int64
	last int64
	fn   func(int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if p.n-p.last >= 8<<20 {
		p.last = p.n
		p.fn(p.n)
	}
	return n, err
}

// readFeed parses the feed at path with the reader for its kind.
func readFeed(kind, path string, since time.Time, fn func(*advisory.Advisory) error) (advisory.ImportStats, error) {
	info, err := os.Stat(path)
	if err != nil {
		return advisory.ImportStats{}, errs.E(errs.Invalid, "cannot read %s: %v", path, errorText(err))
	}
	switch kind {
	case FeedOSV:
		lim := osv.Limits{Since: since}
		if info.IsDir() {
			return osv.ReadDir(os.DirFS(path), lim, fn)
		}
		f, err := os.Open(path)
		if err != nil {
			return advisory.ImportStats{}, err
		}
		defer f.Close()
		if strings.HasSuffix(strings.ToLower(path), ".json") {
			b, err := io.ReadAll(io.LimitReader(f, 4<<20+1))
			if err != nil {
				return advisory.ImportStats{}, err
			}
			a, err := osv.Parse(b)
			if err != nil {
				return advisory.ImportStats{}, err
			}
			return advisory.ImportStats{Records: 1, MaxModified: a.Modified}, fn(a)
		}
		return osv.ReadZip(f, info.Size(), lim, fn)
	case FeedNVD:
		if info.IsDir() {
			return advisory.ImportStats{}, errs.E(errs.Invalid, "an NVD feed is one JSON file (a CVE API 2.0 response or a 2.0 data feed)")
		}
		f, err := os.Open(path)
		if err != nil {
			return advisory.ImportStats{}, err
		}
		defer f.Close()
		return nvd.Read(f, nvd.Limits{Since: since}, fn)
	case FeedCSAF:
		lim := csaf.Limits{Since: since}
		each := func(d *csaf.Document) error {
			for _, a := range d.Advisories {
				if err := fn(a); err != nil {
					return err
				}
			}
			return nil
		}
		if info.IsDir() {
			return csaf.ReadDir(os.DirFS(path), lim, each)
		}
		f, err := os.Open(path)
		if err != nil {
			return advisory.ImportStats{}, err
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, maxFeedDownload[FeedCSAF]+1))
		if err != nil {
			return advisory.ImportStats{}, err
		}
		d, err := csaf.Parse(b, lim)
		if err != nil {
			return advisory.ImportStats{}, err
		}
		return advisory.ImportStats{Records: len(d.Advisories), MaxModified: d.Modified}, each(d)
	case FeedKEV:
		f, err := os.Open(path)
		if err != nil {
			return advisory.ImportStats{}, err
		}
		defer f.Close()
		cat, err := kev.Read(f, kev.Limits{})
		if err != nil {
			return advisory.ImportStats{}, err
		}
		var st advisory.ImportStats
		for _, e := range cat.Entries {
			if !e.Exploitation.DateAdded.After(since) {
				st.Unchanged++
				continue
			}
			ex := e.Exploitation
			// Modified is the date the catalogue added the entry, so that the
			// next import passes on only entries added since.
			if err := fn(e.Advisory(ex.DateAdded)); err != nil {
				return st, err
			}
			st.Records++
			if ex.DateAdded.After(st.MaxModified) {
				st.MaxModified = ex.DateAdded
			}
		}
		return st, nil
	}
	return advisory.ImportStats{}, errs.E(errs.Invalid, "unknown feed kind %q", kind)
}

// Feeds lists the configured feeds and how their last imports went.
func (s *Service) Feeds(ctx context.Context, p access.Principal) ([]store.Feed, map[string]int, error) {
	if p.OrgID == "" && !p.CanAdminSite() {
		return nil, nil, errs.E(errs.PermissionDenied, "choose an organisation first").WithCode("no_organisation")
	}
	fs, err := s.store.Advisories().Feeds(ctx)
	if err != nil {
		return nil, nil, err
	}
	if !p.CanAdminSite() {
		// Where the operator mirrors feeds, and what went wrong reading
		// them, is the operator's business: locations can hold tokens and
		// errors name paths.
		for i := range fs {
			fs[i].Location, fs[i].LastError = "", ""
		}
	}
	counts, err := s.store.Advisories().CountAdvisories(ctx)
	return fs, counts, err
}
