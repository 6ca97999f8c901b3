package sqlstore

import (
	"context"
	"database/sql"

	"github.com/lifeline-iot/lifeline/internal/store"
)

// listSpec describes one keyset-paginated list: rows ordered by a sort key
// and the ID that breaks ties (ADR 6).
type listSpec[T any] struct {
	from   string // SELECT … FROM …, without WHERE
	where  where
	key    string // sort column, or "" to order by ID alone
	id     string // ID column
	desc   bool   // newest or largest first
	scan   func(*sql.Rows) (T, error)
	cursor func(T) store.Cursor
	// keyArg turns a cursor key back into a query argument; nil passes the
	// key string as it is.
	keyArg func(string) (any, error)
}

// list runs spec for one page.
func list[T any](ctx context.Context, q queries, spec listSpec[T], pg store.Page) (store.List[T], error) {
	var out store.List[T]
	pg = pg.Normalized()
	cur, err := store.DecodeCursor(pg.Cursor)
	if err != nil {
		return out, err
	}
	op, dir := ">", ""
	if spec.desc {
		op, dir = "<", " DESC"
	}
	w := spec.where
	if cur.ID != "" {
		if spec.key == "" {
			w.add(spec.id+" "+op+" ?", cur.ID)
		} else {
			var k any = cur.Key
			if spec.keyArg != nil {
				if k, err = spec.keyArg(cur.Key); err != nil {
					return out, err
				}
			}
			w.add("("+spec.key+" "+op+" ? OR ("+spec.key+" = ? AND "+spec.id+" "+op+" ?))", k, k, cur.ID)
		}
	}
	order := spec.id + dir
	if spec.key != "" {
		order = spec.key + dir + ", " + order
	}
	rows, err := q.query(ctx, spec.from+w.sql()+" ORDER BY "+order+" LIMIT ?", append(w.args, pg.Limit+1)...)
	if err != nil {
		return out, err
	}
	err = q.collect(rows, func(r *sql.Rows) error {
		v, err := spec.scan(r)
		out.Items = append(out.Items, v)
		return err
	})
	if err != nil {
		return out, err
	}
	if len(out.Items) > pg.Limit {
		out.Items = out.Items[:pg.Limit]
		out.Next = spec.cursor(out.Items[pg.Limit-1]).Encode()
	}
	return out, nil
}

// scanner adapts a scan function over a single-row scanner to *sql.Rows.
func scanner[T any](f func(interface{ Scan(...any) error }) (T, error)) func(*sql.Rows) (T, error) {
	return func(r *sql.Rows) (T, error) { return f(r) }
}
