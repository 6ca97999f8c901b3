package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/errs"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// advisories implements store.Advisories.
type advisories struct{ q queries }

// Advisories implements store.Queries.
func (q queries) Advisories() store.Advisories { return &advisories{q: q} }

// Advisories implements store.Queries.
func (db *DB) Advisories() store.Advisories { return db.queries(db.pool).Advisories() }

// rowsPerInsert bounds multi-row INSERTs well below SQLite's limit of
// 32,766 bound variables.
const rowsPerInsert = 400

// insertRows inserts rows of width columns into table with multi-row
// INSERT statements.
func (q queries) insertRows(ctx context.Context, head string, width int, rows [][]any) error {
	for len(rows) > 0 {
		n := min(len(rows), rowsPerInsert)
		var b strings.Builder
		b.WriteString(head)
		b.WriteString(" VALUES ")
		args := make([]any, 0, n*width)
		tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", width), ", ") + ")"
		for i, r := range rows[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(tuple)
			args = append(args, r...)
		}
		if _, err := q.exec(ctx, b.String(), args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// inChunks calls fn with the values split into chunks small enough for an
// IN list, and the matching "?, ?, …" placeholder text.
func inChunks(values []string, fn func(placeholders string, args []any) error) error {
	for len(values) > 0 {
		n := min(len(values), rowsPerInsert)
		args := make([]any, n)
		for i, v := range values[:n] {
			args[i] = v
		}
		if err := fn(strings.TrimSuffix(strings.Repeat("?, ", n), ", "), args); err != nil {
			return err
		}
		values = values[n:]
	}
	return nil
}

func (a *advisories) PutAdvisories(ctx context.Context, recs []store.AdvisoryRecord) (store.PutResult, error) {
	var res store.PutResult
	if len(recs) == 0 {
		return res, nil
	}
	seen := map[string]bool{}
	for _, r := range recs {
		if seen[r.Source+"\x00"+r.ID] {
			return res, errs.E(errs.Invalid, "advisory %s:%s appears twice in one batch", r.Source, r.ID)
		}
		seen[r.Source+"\x00"+r.ID] = true
	}
	// Find the records already stored, by primary key. Those that did not
	// change (same modification time and document) are left alone; the
	// others are deleted and written again.
	type stored struct {
		vulnID   string
		modified time.Time
		document []byte
	}
	existing := map[store.AdvisoryRef]stored{}
	for i := 0; i < len(recs); i += rowsPerInsert {
		chunk := recs[i:min(len(recs), i+rowsPerInsert)]
		cond, args := refCondition(chunk)
		rows, err := a.q.query(ctx, `SELECT source, id, vuln_id, modified, document FROM advisories WHERE `+cond, args...)
		if err != nil {
			return res, err
		}
		if err := a.q.collect(rows, func(rows *sql.Rows) error {
			var ref store.AdvisoryRef
			var st stored
			var mod timeCol
			err := rows.Scan(&ref.Source, &ref.ID, &st.vulnID, &mod, &st.document)
			st.modified = mod.T
			existing[ref] = st
			return err
		}); err != nil {
			return res, err
		}
	}
	var write, old []store.AdvisoryRecord
	changed := map[string]bool{}
	for _, r := range recs {
		ref := store.AdvisoryRef{Source: r.Source, ID: r.ID}
		st, ok := existing[ref]
		if ok && st.modified.Equal(r.Modified.UTC().Truncate(time.Microsecond)) && bytes.Equal(st.document, r.Document) {
			continue
		}
		if ok {
			old = append(old, r)
			changed[st.vulnID] = true // a record that moves to another vulnerability leaves findings behind
		}
		write = append(write, r)
		changed[r.VulnID] = true
		res.Written = append(res.Written, ref)
	}
	// An exploited record (KEV) changes the vulnerabilities whose records
	// name it as one of several aliases too.
	for _, r := range write {
		if !r.Exploited {
			continue
		}
		rows, err := a.q.query(ctx, `SELECT DISTINCT a.vuln_id FROM advisory_ids i JOIN advisories a ON a.source = i.source AND a.id = i.id WHERE i.alias = ?`, r.ID)
		if err != nil {
			return res, err
		}
		if err := a.q.collect(rows, func(rows *sql.Rows) error {
			var v string
			err := rows.Scan(&v)
			changed[v] = true
			return err
		}); err != nil {
			return res, err
		}
	}
	for v := range changed {
		res.ChangedVulns = append(res.ChangedVulns, v)
	}
	slices.Sort(res.ChangedVulns)
	for i := 0; i < len(old); i += rowsPerInsert {
		chunk := old[i:min(len(old), i+rowsPerInsert)]
		cond, args := refCondition(chunk)
		for _, table := range []string{"advisories", "advisory_keys", "advisory_ids"} {
			if _, err := a.q.exec(ctx, `DELETE FROM `+table+` WHERE `+cond, args...); err != nil {
				return res, err
			}
		}
	}
	var docs, ids, keys [][]any
	for _, r := range write {
		docs = append(docs, []any{r.Source, r.ID, r.VulnID, a.q.t(r.Modified), r.Withdrawn, r.Score, r.Exploited, r.Summary, r.Document})
		for _, id := range uniq(append([]string{r.ID}, r.IDs...)) {
			ids = append(ids, []any{id, r.Source, r.ID})
		}
		for _, k := range uniq(r.Keys) {
			keys = append(keys, []any{k, r.Source, r.ID})
		}
	}
	if err := a.q.insertRows(ctx, `INSERT INTO advisories (source, id, vuln_id, modified, withdrawn, score, exploited, summary, document)`, 9, docs); err != nil {
		return res, err
	}
	if err := a.q.insertRows(ctx, `INSERT INTO advisory_ids (alias, source, id)`, 3, ids); err != nil {
		return res, err
	}
	return res, a.q.insertRows(ctx, `INSERT INTO advisory_keys (match_key, source, id)`, 3, keys)
}

// refCondition returns "(source = ? AND id = ?) OR …" for recs, with its
// arguments (source, id, source, id, …).
func refCondition(recs []store.AdvisoryRecord) (string, []any) {
	var cond strings.Builder
	args := make([]any, 0, 2*len(recs))
	for j, r := range recs {
		if j > 0 {
			cond.WriteString(" OR ")
		}
		cond.WriteString("(source = ? AND id = ?)")
		args = append(args, r.Source, r.ID)
	}
	return cond.String(), args
}

func uniq(ss []string) []string {
	seen := make(map[string]bool, len(ss))
	out := ss[:0:0]
	for _, s := range ss {
		if s != "" && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

const advisoryColumns = `source, id, vuln_id, modified, withdrawn, score, exploited, summary, document`

func scanAdvisory(sc interface{ Scan(...any) error }) (store.AdvisoryRecord, error) {
	var r store.AdvisoryRecord
	var mod timeCol
	err := sc.Scan(&r.Source, &r.ID, &r.VulnID, &mod, &r.Withdrawn, &r.Score, &r.Exploited, &r.Summary, &r.Document)
	r.Modified = mod.T
	return r, err
}

func advisoryNotFound(source, id string) error {
	return errs.E(errs.NotFound, "no advisory %s from %s", id, source).WithCode("advisory_not_found")
}

func (a *advisories) Advisory(ctx context.Context, source, id string) (store.AdvisoryRecord, error) {
	r, err := scanAdvisory(a.q.row(ctx, `SELECT `+advisoryColumns+` FROM advisories WHERE source = ? AND id = ?`, source, id))
	return r, scanErr(err, advisoryNotFound(source, id))
}

func (a *advisories) VulnerabilityRecords(ctx context.Context, id string) ([]store.AdvisoryRecord, error) {
	rows, err := a.q.query(ctx, `SELECT `+advisoryColumns+` FROM advisories WHERE vuln_id IN (
		SELECT vuln_id FROM advisories WHERE vuln_id = ?
		UNION SELECT a.vuln_id FROM advisory_ids i JOIN advisories a ON a.source = i.source AND a.id = i.id WHERE i.alias = ?)
		ORDER BY source, id`, id, id)
	if err != nil {
		return nil, err
	}
	var out []store.AdvisoryRecord
	err = a.q.collect(rows, func(rows *sql.Rows) error {
		r, err := scanAdvisory(rows)
		out = append(out, r)
		return err
	})
	if err == nil && len(out) == 0 {
		err = errs.E(errs.NotFound, "no vulnerability %s is known", id).WithCode("vulnerability_not_found")
	}
	return out, err
}

func (a *advisories) AdvisoriesForKeys(ctx context.Context, keys []string, fn func(store.AdvisoryRecord) error) error {
	seen := map[store.AdvisoryRef]bool{}
	return inChunks(uniq(keys), func(ph string, args []any) error {
		rows, err := a.q.query(ctx, `SELECT `+prefixed("a.", advisoryColumns)+` FROM advisory_keys k
			JOIN advisories a ON a.source = k.source AND a.id = k.id
			WHERE k.match_key IN (`+ph+`) AND a.withdrawn = ?`,
			append(args, false)...)
		if err != nil {
			return err
		}
		return a.q.collect(rows, func(rows *sql.Rows) error {
			r, err := scanAdvisory(rows)
			if err != nil {
				return err
			}
			ref := store.AdvisoryRef{Source: r.Source, ID: r.ID}
			if seen[ref] {
				return nil
			}
			seen[ref] = true
			return fn(r)
		})
	})
}

func (a *advisories) AdvisoryKeys(ctx context.Context, refs []store.AdvisoryRef) ([]string, error) {
	var out []string
	for i := 0; i < len(refs); i += rowsPerInsert {
		chunk := refs[i:min(len(refs), i+rowsPerInsert)]
		var cond strings.Builder
		args := make([]any, 0, 2*len(chunk))
		for j, r := range chunk {
			if j > 0 {
				cond.WriteString(" OR ")
			}
			cond.WriteString("(source = ? AND id = ?)")
			args = append(args, r.Source, r.ID)
		}
		rows, err := a.q.query(ctx, `SELECT DISTINCT match_key FROM advisory_keys WHERE `+cond.String(), args...)
		if err != nil {
			return nil, err
		}
		if err := a.q.collect(rows, func(rows *sql.Rows) error {
			var k string
			err := rows.Scan(&k)
			out = append(out, k)
			return err
		}); err != nil {
			return nil, err
		}
	}
	return uniq(out), nil
}

func (a *advisories) CountAdvisories(ctx context.Context) (map[string]int, error) {
	rows, err := a.q.query(ctx, `SELECT source, COUNT(*) FROM advisories GROUP BY source`)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	return out, a.q.collect(rows, func(rows *sql.Rows) error {
		var s string
		var n int
		err := rows.Scan(&s, &n)
		out[s] = n
		return err
	})
}

func (a *advisories) VulnerabilityFacts(ctx context.Context, vulnIDs []string) (map[string]store.VulnFacts, error) {
	out := map[string]store.VulnFacts{}
	err := inChunks(uniq(vulnIDs), func(ph string, args []any) error {
		rows, err := a.q.query(ctx, `SELECT vuln_id, score, exploited FROM advisories WHERE withdrawn = ? AND vuln_id IN (`+ph+`)`, append([]any{false}, args...)...)
		if err != nil {
			return err
		}
		return a.q.collect(rows, func(rows *sql.Rows) error {
			var id string
			var f store.VulnFacts
			if err := rows.Scan(&id, &f.Score, &f.Exploited); err != nil {
				return err
			}
			cur := out[id]
			cur.Score = max(cur.Score, f.Score)
			cur.Exploited = cur.Exploited || f.Exploited
			out[id] = cur
			return nil
		})
	})
	if err != nil {
		return out, err
	}
	// A record naming several CVEs (a distribution advisory) is its own
	// vulnerability; it is exploited when one of its CVEs is.
	err = inChunks(uniq(vulnIDs), func(ph string, args []any) error {
		rows, err := a.q.query(ctx, `SELECT DISTINCT r.vuln_id FROM advisories r
			JOIN advisory_ids i ON i.source = r.source AND i.id = r.id
			JOIN advisories k ON k.vuln_id = i.alias
			WHERE r.vuln_id IN (`+ph+`) AND r.withdrawn = ? AND k.withdrawn = ? AND k.exploited = ?`, append(args, false, false, true)...)
		if err != nil {
			return err
		}
		return a.q.collect(rows, func(rows *sql.Rows) error {
			var id string
			err := rows.Scan(&id)
			cur := out[id]
			cur.Exploited = true
			out[id] = cur
			return err
		})
	})
	return out, err
}

const feedColumns = `name, kind, location, max_modified, last_started, last_finished, records, error_count, last_error`

func (a *advisories) PutFeed(ctx context.Context, f store.Feed) error {
	res, err := a.q.exec(ctx, `UPDATE feeds SET kind = ?, location = ?, max_modified = ?, last_started = ?, last_finished = ?, records = ?, error_count = ?, last_error = ?
		WHERE name = ?`, f.Kind, f.Location, a.q.tp(f.MaxModified), a.q.tp(f.LastStarted), a.q.tp(f.LastFinished), f.Records, f.ErrorCount, f.LastError, f.Name)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n > 0 {
		return err
	}
	_, err = a.q.exec(ctx, `INSERT INTO feeds (`+feedColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		f.Name, f.Kind, f.Location, a.q.tp(f.MaxModified), a.q.tp(f.LastStarted), a.q.tp(f.LastFinished), f.Records, f.ErrorCount, f.LastError)
	return err
}

func (a *advisories) RefreshStatistics(ctx context.Context) error {
	for _, table := range []string{"advisories", "advisory_ids", "advisory_keys"} {
		if stmt := a.q.d.RefreshStatistics(table); stmt != "" {
			if _, err := a.q.exec(ctx, stmt); err != nil {
				return err
			}
		}
	}
	return nil
}

func (a *advisories) ClaimFeed(ctx context.Context, name string, now time.Time, lease time.Duration) (bool, error) {
	if _, err := a.q.exec(ctx, `INSERT INTO feeds (name, kind, location) SELECT ?, '', '' WHERE NOT EXISTS (SELECT 1 FROM feeds WHERE name = ?)`, name, name); err != nil &&
		!errs.Is(err, errs.Conflict) {
		return false, err
	}
	res, err := a.q.exec(ctx, `UPDATE feeds SET lease_until = ? WHERE name = ? AND (lease_until IS NULL OR lease_until < ?)`, a.q.t(now.Add(lease)), name, a.q.t(now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (a *advisories) ReleaseFeed(ctx context.Context, name string) error {
	_, err := a.q.exec(ctx, `UPDATE feeds SET lease_until = NULL WHERE name = ?`, name)
	return err
}

func scanFeed(sc interface{ Scan(...any) error }) (store.Feed, error) {
	var f store.Feed
	var mm, ls, lf timeCol
	err := sc.Scan(&f.Name, &f.Kind, &f.Location, &mm, &ls, &lf, &f.Records, &f.ErrorCount, &f.LastError)
	f.MaxModified, f.LastStarted, f.LastFinished = mm.ptr(), ls.ptr(), lf.ptr()
	return f, err
}

func (a *advisories) Feed(ctx context.Context, name string) (store.Feed, error) {
	f, err := scanFeed(a.q.row(ctx, `SELECT `+feedColumns+` FROM feeds WHERE name = ?`, name))
	return f, scanErr(err, errs.E(errs.NotFound, "no feed named %q", name).WithCode("feed_not_found"))
}

func (a *advisories) Feeds(ctx context.Context) ([]store.Feed, error) {
	rows, err := a.q.query(ctx, `SELECT `+feedColumns+` FROM feeds ORDER BY name`)
	if err != nil {
		return nil, err
	}
	var out []store.Feed
	return out, a.q.collect(rows, func(rows *sql.Rows) error {
		f, err := scanFeed(rows)
		out = append(out, f)
		return err
	})
}
