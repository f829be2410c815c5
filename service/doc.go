// Package service holds the operations that every front end runs, between
// the transports (the HTTP API in package api, the command line in cli) and
// the domain (pack, profile) and storage (store) packages:
//
//   - the Resolver, which finds a pack by name and tag, version, uid and
//     registry over an ordered list of indexes (the built-in Public Repo and
//     --pack-dir repos in memory, a scope's private registries in the
//     store), the one resolution order of byoos;
//   - the Profiles service, which runs every write of a cluster profile as
//     load, check the revision, change, validate, seal, save, and every read
//     with secrets masked.
//
// Transports decode, call and encode; they hold no domain logic.
package service
