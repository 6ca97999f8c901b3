// Package benchmarks measures the registry on both storage backends:
// registry reads, device upserts and bulk device imports. Run with
//
//	go test ./internal/benchmarks -run '^$' -bench . -benchmem
//
// Results, with the machine they ran on, are kept in docs/benchmarks.md.
package benchmarks
