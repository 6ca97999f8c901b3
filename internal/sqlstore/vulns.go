package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/store"
)

func (s *orgStore) LockVulns(ctx context.Context) error {
	stmt := s.q.d.TransactionLock()
	if stmt == "" {
		return nil
	}
	var ignored any
	return s.q.row(ctx, stmt, "vulns:"+s.org).Scan(&ignored)
}

func (s *orgStore) SetReleaseComponents(ctx context.Context, productID, releaseID string, comps []store.ReleaseComponent) error {
	var n int
	if err := s.q.row(ctx, `SELECT COUNT(*) FROM releases WHERE org_id = ? AND id = ? AND product_id = ?`, s.org, releaseID, productID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return releaseNotFound(releaseID)
	}
	for _, table := range []string{"component_keys", "release_components"} {
		if _, err := s.q.exec(ctx, `DELETE FROM `+table+` WHERE org_id = ? AND release_id = ?`, s.org, releaseID); err != nil {
			return err
		}
	}
	rows := make([][]any, 0, len(comps))
	var keys [][]any
	for _, c := range comps {
		rows = append(rows, []any{s.org, releaseID, productID, c.Index, c.Identity, c.Ref, c.Name, c.Version, c.PURL, strings.Join(c.CPEs, "\n")})
		for _, k := range uniq(c.Keys) {
			keys = append(keys, []any{s.org, k, releaseID, c.Index})
		}
	}
	if err := s.q.insertRows(ctx, `INSERT INTO release_components (org_id, release_id, product_id, idx, identity, ref, name, version, purl, cpes)`, 10, rows); err != nil {
		return err
	}
	return s.q.insertRows(ctx, `INSERT INTO component_keys (org_id, match_key, release_id, idx)`, 4, keys)
}

const componentColumns = `c.release_id, c.product_id, c.idx, c.identity, c.ref, c.name, c.version, c.purl, c.cpes`

func scanComponent(rows *sql.Rows) (store.ReleaseComponent, error) {
	var c store.ReleaseComponent
	var cpes string
	err := rows.Scan(&c.ReleaseID, &c.ProductID, &c.Index, &c.Identity, &c.Ref, &c.Name, &c.Version, &c.PURL, &cpes)
	if cpes != "" {
		c.CPEs = strings.Split(cpes, "\n")
	}
	return c, err
}

func (s *orgStore) ReleaseComponents(ctx context.Context, releaseID string) ([]store.ReleaseComponent, error) {
	rows, err := s.q.query(ctx, `SELECT `+componentColumns+` FROM release_components c WHERE c.org_id = ? AND c.release_id = ? ORDER BY c.idx`, s.org, releaseID)
	if err != nil {
		return nil, err
	}
	var out []store.ReleaseComponent
	return out, s.q.collect(rows, func(rows *sql.Rows) error {
		c, err := scanComponent(rows)
		out = append(out, c)
		return err
	})
}

func (s *orgStore) AllComponents(ctx context.Context) ([]store.ReleaseComponent, error) {
	rows, err := s.q.query(ctx, `SELECT `+componentColumns+` FROM release_components c WHERE c.org_id = ? ORDER BY c.release_id, c.idx`, s.org)
	if err != nil {
		return nil, err
	}
	var out []store.ReleaseComponent
	return out, s.q.collect(rows, func(rows *sql.Rows) error {
		c, err := scanComponent(rows)
		out = append(out, c)
		return err
	})
}

func (s *orgStore) ComponentsForKeys(ctx context.Context, keys []string) ([]store.ReleaseComponent, error) {
	var out []store.ReleaseComponent
	seen := map[[2]any]bool{}
	err := inChunks(uniq(keys), func(ph string, args []any) error {
		rows, err := s.q.query(ctx, `SELECT `+componentColumns+` FROM component_keys k
			JOIN release_components c ON c.release_id = k.release_id AND c.idx = k.idx
			WHERE k.org_id = ? AND k.match_key IN (`+ph+`)`, append([]any{s.org}, args...)...)
		if err != nil {
			return err
		}
		return s.q.collect(rows, func(rows *sql.Rows) error {
			c, err := scanComponent(rows)
			if err != nil {
				return err
			}
			if k := [2]any{c.ReleaseID, c.Index}; !seen[k] {
				seen[k] = true
				out = append(out, c)
			}
			return nil
		})
	})
	return out, err
}

func (s *orgStore) ReleasesWithComponents(ctx context.Context) ([]string, error) {
	// One index probe per release, rather than a pass over every component.
	rows, err := s.q.query(ctx, `SELECT r.id FROM releases r WHERE r.org_id = ?
		AND EXISTS (SELECT 1 FROM release_components c WHERE c.release_id = r.id) ORDER BY r.id`, s.org)
	if err != nil {
		return nil, err
	}
	var out []string
	return out, s.q.collect(rows, func(rows *sql.Rows) error {
		var id string
		err := rows.Scan(&id)
		out = append(out, id)
		return err
	})
}

func (s *orgStore) SetReleaseVEX(ctx context.Context, releaseID string, statements []byte) error {
	var n int
	if err := s.q.row(ctx, `SELECT COUNT(*) FROM releases WHERE org_id = ? AND id = ?`, s.org, releaseID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return releaseNotFound(releaseID)
	}
	if _, err := s.q.exec(ctx, `DELETE FROM release_vex WHERE org_id = ? AND release_id = ?`, s.org, releaseID); err != nil || statements == nil {
		return err
	}
	_, err := s.q.exec(ctx, `INSERT INTO release_vex (release_id, org_id, statements) VALUES (?, ?, ?)`, releaseID, s.org, statements)
	return err
}

func (s *orgStore) ReleaseVEX(ctx context.Context, releaseIDs []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := inChunks(uniq(releaseIDs), func(ph string, args []any) error {
		rows, err := s.q.query(ctx, `SELECT release_id, statements FROM release_vex WHERE org_id = ? AND release_id IN (`+ph+`)`, append([]any{s.org}, args...)...)
		if err != nil {
			return err
		}
		return s.q.collect(rows, func(rows *sql.Rows) error {
			var id string
			var b []byte
			err := rows.Scan(&id, &b)
			out[id] = b
			return err
		})
	})
	return out, err
}

// findingKey names a finding across SBOM uploads: by component identity,
// not position, so a re-uploaded SBOM whose components moved keeps its
// findings' first-seen times and notifies nothing twice.
type findingKey struct {
	release  string
	identity string
	vuln     string
}

const findingColumns = `release_id, product_id, idx, vuln_id, identity, component, advisories, reason, score, exploited, status, justification, decided_by, first_seen, updated_at`

func scanFinding(rows *sql.Rows) (store.Finding, error) {
	var f store.Finding
	var advs string
	var first, upd timeCol
	err := rows.Scan(&f.ReleaseID, &f.ProductID, &f.Index, &f.VulnID, &f.Identity, &f.Component, &advs, &f.Reason, &f.Score, &f.Exploited,
		&f.Status, &f.Justification, &f.DecidedBy, &first, &upd)
	f.FirstSeen, f.UpdatedAt = first.T, upd.T
	for _, a := range strings.Fields(advs) {
		src, id, _ := strings.Cut(a, ":")
		f.Advisories = append(f.Advisories, store.AdvisoryRef{Source: src, ID: id})
	}
	return f, err
}

// scopeQuery runs fn once per chunk of the scope with a WHERE clause
// (without the org condition) and its arguments.
func scopeQuery(scope store.FindingScope, fn func(where string, args []any) error) error {
	switch {
	case len(scope.VulnIDs) > 0 && len(scope.ReleaseIDs) > 0:
		return inChunks(uniq(scope.VulnIDs), func(vph string, vargs []any) error {
			return inChunks(uniq(scope.ReleaseIDs), func(rph string, rargs []any) error {
				return fn(`vuln_id IN (`+vph+`) AND release_id IN (`+rph+`)`, append(append([]any{}, vargs...), rargs...))
			})
		})
	case len(scope.VulnIDs) > 0:
		return inChunks(uniq(scope.VulnIDs), func(ph string, args []any) error { return fn(`vuln_id IN (`+ph+`)`, args) })
	case len(scope.ReleaseIDs) > 0:
		return inChunks(uniq(scope.ReleaseIDs), func(ph string, args []any) error { return fn(`release_id IN (`+ph+`)`, args) })
	}
	return nil
}

func (s *orgStore) SyncFindings(ctx context.Context, scope store.FindingScope, fs []store.Finding, at time.Time) (store.SyncResult, error) {
	var res store.SyncResult
	if len(scope.VulnIDs) == 0 && len(scope.ReleaseIDs) == 0 {
		if len(fs) > 0 {
			return res, errs.E(errs.Internal, "findings given with an empty scope")
		}
		return res, nil
	}
	// Every finding must be on one of the organisation's releases.
	var rels []string
	for _, f := range fs {
		rels = append(rels, f.ReleaseID)
	}
	if err := inChunks(uniq(rels), func(ph string, args []any) error {
		var n int
		if err := s.q.row(ctx, `SELECT COUNT(*) FROM releases WHERE org_id = ? AND id IN (`+ph+`)`, append([]any{s.org}, args...)...).Scan(&n); err != nil {
			return err
		}
		if n != len(args) {
			return releaseNotFound(args[0].(string))
		}
		return nil
	}); err != nil {
		return res, err
	}
	old := map[findingKey]time.Time{}
	wasExploited := map[string]bool{} // vulnerability → any old finding exploited
	err := scopeQuery(scope, func(where string, args []any) error {
		rows, err := s.q.query(ctx, `SELECT release_id, identity, vuln_id, first_seen, exploited FROM findings WHERE org_id = ? AND `+where, append([]any{s.org}, args...)...)
		if err != nil {
			return err
		}
		if err := s.q.collect(rows, func(rows *sql.Rows) error {
			var k findingKey
			var first timeCol
			var exploited bool
			err := rows.Scan(&k.release, &k.identity, &k.vuln, &first, &exploited)
			if prev, ok := old[k]; !ok || first.T.Before(prev) {
				old[k] = first.T
			}
			wasExploited[k.vuln] = wasExploited[k.vuln] || exploited
			return err
		}); err != nil {
			return err
		}
		_, err = s.q.exec(ctx, `DELETE FROM findings WHERE org_id = ? AND `+where, append([]any{s.org}, args...)...)
		return err
	})
	if err != nil {
		return res, err
	}
	rows := make([][]any, 0, len(fs))
	newly := map[string]bool{}
	for i := range fs {
		f := &fs[i]
		if first, ok := old[findingKey{f.ReleaseID, f.Identity, f.VulnID}]; ok {
			f.FirstSeen = first
		} else {
			f.FirstSeen = at
			res.Added = append(res.Added, *f)
		}
		if was, seen := wasExploited[f.VulnID]; seen && !was && f.Exploited && !newly[f.VulnID] {
			newly[f.VulnID] = true
			res.NewlyExploited = append(res.NewlyExploited, f.VulnID)
		}
		f.UpdatedAt = at
		advs := make([]string, len(f.Advisories))
		for j, a := range f.Advisories {
			advs[j] = a.Source + ":" + a.ID
		}
		reason := f.Reason
		if reason == nil {
			reason = []byte("[]")
		}
		rows = append(rows, []any{s.org, f.ReleaseID, f.ProductID, f.Index, f.VulnID, f.Identity, f.Component, strings.Join(advs, " "), reason,
			f.Score, f.Exploited, f.Status, f.Justification, f.DecidedBy, s.q.t(f.FirstSeen), s.q.t(at)})
	}
	err = s.q.insertRows(ctx, `INSERT INTO findings (org_id, `+findingColumns+`)`, 16, rows)
	return res, err
}

func findingWhere(org string, f store.FindingFilter) (string, []any) {
	where := []string{"org_id = ?"}
	args := []any{org}
	if f.ProductID != "" {
		where, args = append(where, "product_id = ?"), append(args, f.ProductID)
	}
	if f.ReleaseID != "" {
		where, args = append(where, "release_id = ?"), append(args, f.ReleaseID)
	}
	if f.VulnID != "" {
		where, args = append(where, "vuln_id = ?"), append(args, f.VulnID)
	}
	if f.Open {
		where, args = append(where, "status IN (?, ?)"), append(args, store.FindingOpen, store.FindingAffected)
	}
	return strings.Join(where, " AND "), args
}

func (s *orgStore) Findings(ctx context.Context, f store.FindingFilter) ([]store.Finding, error) {
	where, args := findingWhere(s.org, f)
	rows, err := s.q.query(ctx, `SELECT `+findingColumns+` FROM findings WHERE `+where+
		` ORDER BY exploited DESC, score DESC, vuln_id, release_id, idx`, args...)
	if err != nil {
		return nil, err
	}
	var out []store.Finding
	return out, s.q.collect(rows, func(rows *sql.Rows) error {
		x, err := scanFinding(rows)
		out = append(out, x)
		return err
	})
}

func (s *orgStore) FindingFacts(ctx context.Context, f store.FindingFilter) ([]store.FindingFact, error) {
	where, args := findingWhere(s.org, f)
	rows, err := s.q.query(ctx, `SELECT vuln_id, release_id, score, exploited, status FROM findings WHERE `+where, args...)
	if err != nil {
		return nil, err
	}
	var out []store.FindingFact
	return out, s.q.collect(rows, func(rows *sql.Rows) error {
		var x store.FindingFact
		err := rows.Scan(&x.VulnID, &x.ReleaseID, &x.Score, &x.Exploited, &x.Status)
		out = append(out, x)
		return err
	})
}

const triageColumns = `product_id, identity, vuln_id, state, justification, fixed_in, note, release_id, decided_by, decided_at`

func (s *orgStore) PutTriage(ctx context.Context, t store.Triage) error {
	var n int
	if err := s.q.row(ctx, `SELECT COUNT(*) FROM products WHERE org_id = ? AND id = ?`, s.org, t.ProductID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errs.E(errs.NotFound, "no product %s", t.ProductID).WithCode("product_not_found")
	}
	if _, err := s.q.exec(ctx, `DELETE FROM triage WHERE org_id = ? AND product_id = ? AND identity = ? AND vuln_id = ?`, s.org, t.ProductID, t.Identity, t.VulnID); err != nil {
		return err
	}
	if _, err := s.q.exec(ctx, `INSERT INTO triage (org_id, `+triageColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.org, t.ProductID, t.Identity, t.VulnID, t.State, t.Justification, t.FixedIn, t.Note, t.ReleaseID, t.DecidedBy, s.q.t(t.DecidedAt)); err != nil {
		return err
	}
	_, err := s.q.exec(ctx, `UPDATE findings SET status = ?, justification = ?, decided_by = 'triage', updated_at = ?
		WHERE org_id = ? AND product_id = ? AND identity = ? AND vuln_id = ?`,
		t.State, t.Justification, s.q.t(t.DecidedAt), s.org, t.ProductID, t.Identity, t.VulnID)
	return err
}

func (s *orgStore) Triage(ctx context.Context, vulnID string) ([]store.Triage, error) {
	q, args := `SELECT `+triageColumns+` FROM triage WHERE org_id = ?`, []any{s.org}
	if vulnID != "" {
		q, args = q+` AND vuln_id = ?`, append(args, vulnID)
	}
	rows, err := s.q.query(ctx, q+` ORDER BY vuln_id, product_id, identity`, args...)
	if err != nil {
		return nil, err
	}
	var out []store.Triage
	return out, s.q.collect(rows, func(rows *sql.Rows) error {
		var t store.Triage
		var at timeCol
		err := rows.Scan(&t.ProductID, &t.Identity, &t.VulnID, &t.State, &t.Justification, &t.FixedIn, &t.Note, &t.ReleaseID, &t.DecidedBy, &at)
		t.DecidedAt = at.T
		out = append(out, t)
		return err
	})
}

func (s *orgStore) PutVEXDocument(ctx context.Context, d store.VEXDocument) error {
	if !json.Valid(d.Document) {
		return errs.E(errs.Internal, "VEX document %s is not JSON", d.ID)
	}
	_, err := s.q.exec(ctx, `INSERT INTO vex_documents (id, org_id, name, format, statements, document, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		d.ID, s.org, d.Name, d.Format, d.Statements, d.Document, s.q.t(d.UploadedAt))
	return err
}

func (s *orgStore) VEXDocuments(ctx context.Context) ([]store.VEXDocument, error) {
	rows, err := s.q.query(ctx, `SELECT id, name, format, statements, document, uploaded_at FROM vex_documents WHERE org_id = ? ORDER BY uploaded_at, id`, s.org)
	if err != nil {
		return nil, err
	}
	var out []store.VEXDocument
	return out, s.q.collect(rows, func(rows *sql.Rows) error {
		var d store.VEXDocument
		var at timeCol
		err := rows.Scan(&d.ID, &d.Name, &d.Format, &d.Statements, &d.Document, &at)
		d.UploadedAt = at.T
		out = append(out, d)
		return err
	})
}

func (s *orgStore) DeviceCountsByRelease(ctx context.Context) (map[string]int, error) {
	rows, err := s.q.query(ctx, `SELECT release_id, COUNT(*) FROM devices WHERE org_id = ? AND release_id IS NOT NULL GROUP BY release_id`, s.org)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	return out, s.q.collect(rows, func(rows *sql.Rows) error {
		var id string
		var n int
		err := rows.Scan(&id, &n)
		out[id] = n
		return err
	})
}
