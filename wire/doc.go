// Package wire holds the JSON shapes of byoos's HTTP API, which is Palette's
// v1 API: cluster profile documents (the import/export shape, also what
// `byoos validate` reads), cluster profiles as the API answers them,
// registries, packs, and errors with their codes. It is a leaf: the server
// (package api) and the Go client (package client) both speak it, and it
// imports nothing of byoos but package finding, so that a client links no
// validation code.
package wire
