package service

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/lifeline-iot/lifeline/internal/access"
	"github.com/lifeline-iot/lifeline/internal/errs"
)

// FeedJob is an import started from the web UI, running in the
// background, with its progress. Jobs live in the memory of the server
// that runs them; a page polling another server behind the load balancer
// sees only the feed's stored result once the import ends.
type FeedJob struct {
	Spec     FeedSpec       `json:"spec"`
	Started  time.Time      `json:"started"`
	Progress ImportProgress `json:"progress"`
	Finished *time.Time     `json:"finished,omitempty"`
	Result   *FeedResult    `json:"result,omitempty"`
	Error    string         `json:"error,omitempty"`
}

type feedJobs struct {
	mu   sync.Mutex
	jobs map[string]*FeedJob // by feed name; the latest job of each feed
}

// StartFeedImport starts importing a feed in the background and returns at
// once. One import per feed runs at a time.
func (s *Service) StartFeedImport(ctx context.Context, p access.Principal, spec FeedSpec) error {
	if err := checkFeedSpec(p, spec); err != nil {
		return err
	}
	s.feedJobs.mu.Lock()
	if s.feedJobs.jobs == nil {
		s.feedJobs.jobs = map[string]*FeedJob{}
	}
	if j := s.feedJobs.jobs[spec.Name]; j != nil && j.Finished == nil {
		s.feedJobs.mu.Unlock()
		return errs.E(errs.Conflict, "feed %s is being imported already", spec.Name).WithCode("feed_import_running")
	}
	job := &FeedJob{Spec: spec, Started: s.clock.Now(), Progress: ImportProgress{Feed: spec.Name, Phase: "starting"}}
	s.feedJobs.jobs[spec.Name] = job
	s.feedJobs.mu.Unlock()

	go func() {
		bg := context.WithoutCancel(ctx)
		res, err := s.ImportFeed(bg, p, spec, func(pr ImportProgress) {
			s.feedJobs.mu.Lock()
			job.Progress = pr
			s.feedJobs.mu.Unlock()
		})
		now := s.clock.Now()
		s.feedJobs.mu.Lock()
		defer s.feedJobs.mu.Unlock()
		job.Finished = &now
		if err != nil {
			job.Error = errs.Public(err).Message
			s.log.Error("feed import failed", "feed", spec.Name, "err", err)
			return
		}
		job.Result = &res
	}()
	return nil
}

// FeedJobs returns the imports started on this server, latest first.
func (s *Service) FeedJobs(p access.Principal) []FeedJob {
	if !p.CanAdminSite() {
		return nil
	}
	s.feedJobs.mu.Lock()
	defer s.feedJobs.mu.Unlock()
	out := make([]FeedJob, 0, len(s.feedJobs.jobs))
	for _, j := range s.feedJobs.jobs {
		out = append(out, *j)
	}
	slices.SortFunc(out, func(a, b FeedJob) int { return b.Started.Compare(a.Started) })
	return out
}
