package app

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/innolic/ledger/projections"
	"github.com/innolic/ledger/projections/postgres"
)

// openPostgres connects the Postgres read models (migrating their schema)
// and prepares their projector at its checkpoint. It refuses to start when
// the Postgres reader does not answer every query of projections.Reader
// yet: the interface grows area by area, and a node must not serve some
// queries from nowhere. The check is at run time on purpose, so the build
// stays green while an area's Postgres queries are still being written.
func (n *Node) openPostgres(ctx context.Context, cfg Config) (projections.Reader, projections.Projection, error) {
	db, err := postgres.Open(ctx, cfg.PostgresURL, postgres.Options{})
	if err != nil {
		return nil, nil, err
	}
	r := postgres.NewReader(db, cfg.Catalog, cfg.Timeout)
	reader, ok := any(r).(projections.Reader)
	if !ok {
		db.Close()
		return nil, nil, fmt.Errorf("postgres read models do not yet serve %s queries: unset LEDGER_POSTGRES_URL to serve from memory",
			strings.Join(missingMethods[projections.Reader](r), ", "))
	}
	proj, err := postgres.NewProjector(ctx, db, cfg.Store, cfg.Catalog, cfg.Logger)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	n.Postgres, n.Model = db, nil
	cfg.Logger.Info("serving queries from postgres read models", "schema", db.Schema, "checkpoint", proj.Position())
	return reader, proj, nil
}

// missingMethods lists the methods of interface I that v lacks.
func missingMethods[I any](v any) []string {
	it, vt := reflect.TypeFor[I](), reflect.TypeOf(v)
	var out []string
	for i := 0; i < it.NumMethod(); i++ {
		if _, ok := vt.MethodByName(it.Method(i).Name); !ok {
			out = append(out, it.Method(i).Name)
		}
	}
	return out
}
