package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/lifeline-iot/lifeline/internal/audit"
	"github.com/lifeline-iot/lifeline/internal/ids"
	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/store"
	"github.com/lifeline-iot/lifeline/internal/supportperiod"
)

const auditColumns = `id, org_id, at, actor_id, actor_label, actor_kind, token_id, source, action, target_type, target_id, summary, details`

func (q queries) appendAudit(ctx context.Context, org string, e *audit.Event) error {
	if e.ID == "" {
		e.ID = ids.New()
	}
	e.OrgID = org
	var details any
	if len(e.Details) > 0 {
		details = string(e.Details)
	}
	_, err := q.exec(ctx, `INSERT INTO audit_events (`+auditColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, org, q.t(e.At), e.ActorID, e.ActorLabel, e.ActorKind, e.TokenID, e.Source, e.Action, e.TargetType, e.TargetID, e.Summary, details)
	return err
}

func (q queries) listAudit(ctx context.Context, org string, f audit.Filter, pg store.Page) (store.List[audit.Event], error) {
	var w where
	w.add(`org_id = ?`, org)
	switch {
	case strings.HasSuffix(f.Action, "."):
		w.add(`action LIKE ? ESCAPE '\'`, prefixPattern(f.Action))
	case f.Action != "":
		w.add(`action = ?`, f.Action)
	}
	if f.ActorLabel != "" {
		w.add(`actor_label = ?`, f.ActorLabel)
	}
	if f.TargetType != "" {
		w.add(`target_type = ?`, f.TargetType)
	}
	if f.TargetID != "" {
		w.add(`target_id = ?`, f.TargetID)
	}
	if !f.Since.IsZero() {
		w.add(`at >= ?`, q.t(f.Since))
	}
	if !f.Until.IsZero() {
		w.add(`at < ?`, q.t(f.Until))
	}
	return list(ctx, q, listSpec[audit.Event]{
		from: `SELECT ` + auditColumns + ` FROM audit_events`, where: w, id: "id", desc: true, scan: scanAudit,
		cursor: func(e audit.Event) store.Cursor { return store.Cursor{ID: e.ID} },
	}, pg)
}

func scanAudit(r *sql.Rows) (audit.Event, error) {
	var e audit.Event
	var at timeCol
	var details sql.NullString
	err := r.Scan(&e.ID, &e.OrgID, &at, &e.ActorID, &e.ActorLabel, &e.ActorKind, &e.TokenID, &e.Source, &e.Action, &e.TargetType, &e.TargetID, &e.Summary, &details)
	e.At = at.T
	if details.Valid {
		e.Details = []byte(details.String)
	}
	return e, err
}

func (s *orgStore) AppendAudit(ctx context.Context, e *audit.Event) error {
	return s.q.appendAudit(ctx, s.org, e)
}

func (s *orgStore) Audit(ctx context.Context, f audit.Filter, pg store.Page) (store.List[audit.Event], error) {
	return s.q.listAudit(ctx, s.org, f, pg)
}

func (s *orgStore) Summary(ctx context.Context, now time.Time) (store.OrgSummary, error) {
	sum := store.OrgSummary{BySupportStatus: map[supportperiod.Status]int{}}
	rows, err := s.q.query(ctx, `SELECT published, support_end FROM products WHERE org_id = ?`, s.org)
	if err != nil {
		return sum, err
	}
	err = s.q.collect(rows, func(r *sql.Rows) error {
		var p registry.Product
		var end endDateCol
		if err := r.Scan(&p.Published, &end); err != nil {
			return err
		}
		p.SupportEnd = end.ptr()
		sum.Products++
		if p.Published {
			sum.PublishedProducts++
		}
		sum.BySupportStatus[p.SupportStatus(now)]++
		return nil
	})
	if err != nil {
		return sum, err
	}
	today := now.UTC().Format("2006-01-02")
	if err := s.q.row(ctx, `SELECT COUNT(*) FROM releases WHERE org_id = ?`, s.org).Scan(&sum.Releases); err != nil {
		return sum, err
	}
	if err := s.q.row(ctx, `SELECT COUNT(*) FROM devices WHERE org_id = ?`, s.org).Scan(&sum.Devices); err != nil {
		return sum, err
	}
	err = s.q.row(ctx, `SELECT COUNT(*) FROM devices d JOIN products p ON p.id = d.product_id
		WHERE d.org_id = ? AND p.support_last_day < ?`, s.org, today).Scan(&sum.DevicesOutOfSupport)
	return sum, err
}
