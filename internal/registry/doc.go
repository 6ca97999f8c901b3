// Package registry holds the product registry's types and rules: products
// with their model designations and hardware revisions, firmware releases, and
// devices in the field. It imports no storage or transport; adapters store
// these types and handlers carry them.
package registry
