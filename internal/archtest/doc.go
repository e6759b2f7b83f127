// Package archtest holds no code: its test keeps the import graph of pbxgate
// as DESIGN §3 draws it (cli → daemon → front-ends → domain → building
// blocks), with `go list -deps` as Tailscale's deptest does.
package archtest
