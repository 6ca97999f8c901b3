package httpapi_test

import "github.com/lifeline-iot/lifeline/internal/audit"

var auditAll = audit.Filter{}

func hasActor(es []audit.Event, actor string) bool {
	for _, e := range es {
		if e.ActorLabel == actor {
			return true
		}
	}
	return false
}
