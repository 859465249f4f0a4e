// Package api is Trazo's HTTP surface: a gin router whose every route has
// an explicit role policy (routes.go), handlers that decode, validate, call
// the domain and answer, and one error table mapping errors to status codes
// and the JSON error body {"error":{"code","message","field"}}.
//
// The package takes narrow interfaces, never a Badger handle; cmd/trazo
// wires it to the ledger.
package api
