package service

import (
	"context"

	"github.com/lifeline-iot/lifeline/internal/store"
)

// notifyFindings hands new findings to the organisation's notification
// targets. Delivery is not built yet (issue 4, notifications); new
// findings are logged so an operator can see them arrive.
func (s *Service) notifyFindings(ctx context.Context, orgID string, added []store.Finding) {
	if len(added) == 0 {
		return
	}
	s.log.InfoContext(ctx, "new vulnerability findings", "org", orgID, "findings", len(added))
}
