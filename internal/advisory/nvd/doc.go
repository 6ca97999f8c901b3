// Package nvd reads NVD CVE API 2.0 JSON — the responses of
// /rest/json/cves/2.0 and the nvdcve-2.0-*.json data feeds, which share one
// shape — into Lifeline's advisory model.
//
// Read streams the "vulnerabilities" array one record at a time, so a feed
// file of a gigabyte is never held in memory whole. The input is treated as
// hostile: the whole stream, each record and each record's JSON nesting are
// bounded (see Limits), and breaking a bound aborts the import with an
// errs.TooLarge error. A record that is merely malformed — a bad date, a CPE
// that is not a CPE 2.3 formatted string — is counted in the returned
// statistics and skipped. Limits.Since makes imports incremental.
//
// NVD applicability statements (configurations) become one
// advisory.Affected with a CPECriteria per vulnerable CPE match; the
// platform CPEs an AND configuration requires ("firmware X running on
// hardware Y") become its RunningOn list.
//
// The package is pure: it reads from an io.Reader handed to it.
package nvd
