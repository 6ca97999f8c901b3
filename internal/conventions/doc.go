// Package conventions holds tests that check the whole repository keeps its
// conventions: every package documents itself, and the domain packages stay
// free of infrastructure imports.
package conventions
