package agenttest

import (
	"context"
	"time"

	"github.com/lifeline-iot/lifeline/internal/registry"
	"github.com/lifeline-iot/lifeline/internal/rollout"
	"github.com/lifeline-iot/lifeline/internal/service"
	"github.com/lifeline-iot/lifeline/internal/store"
)

// EnrolmentToken creates an enrolment token for the product on the real
// server (its device API is at Env.URL) and returns its plaintext.
func (r *Repo) EnrolmentToken() string {
	r.T.Helper()
	_, plain, err := r.Env.Service.CreateEnrolmentToken(context.Background(), r.P, r.Slug, "agent test", 24*time.Hour)
	if err != nil {
		r.T.Fatal(err)
	}
	return plain
}

// StartRollout starts an urgent rollout of a published version to every
// device at once and returns its ID.
func (r *Repo) StartRollout(version string) string {
	r.T.Helper()
	v, err := r.Env.Service.CreateRollout(context.Background(), r.P, r.Slug, rollout.Rollout{Version: version, Phases: []float64{100}, Urgent: true})
	if err != nil {
		r.T.Fatal(err)
	}
	return v.ID
}

// Devices lists the product's devices as the server knows them.
func (r *Repo) Devices() []registry.Device {
	r.T.Helper()
	l, err := r.Env.Service.Devices(context.Background(), r.P, service.DeviceQuery{Product: r.Slug}, store.Page{Limit: 1000})
	if err != nil {
		r.T.Fatal(err)
	}
	return l.Items
}
