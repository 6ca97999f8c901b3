// Package deviceimport reads device lists that manufacturers upload in bulk,
// as CSV or JSON, into registry devices, and reports every bad row with its
// row number, field and reason. It reads from an io.Reader and touches no
// storage: an import is checked whole before anything is written, so a file
// with any bad row changes nothing.
package deviceimport
