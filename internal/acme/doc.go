// Package acme gets and renews the certificates of the domains of the tree
// that ask for one (acme_enabled with an acme_account_email), from an ACME
// CA by HTTP-01, as DESIGN §1.2 describes.
//
// Everything it keeps is in the shared store, so that every node of a
// cluster behaves as one: the account keys, the HTTP-01 tokens (any node
// answers a challenge, whichever node ordered), each domain's renewal state
// (failures, backoff, ARI window) and the weekly order budget per
// registered domain. An order runs under a lock of the store named after
// the domain, so two nodes never order the same certificate.
//
// The certificate lands in the domain's certificate_pem in the platform's
// order (key, certificate, chain) after the header lines of
// [certs.Marker]. Only a certificate that carries the marker and is the one
// this package last wrote is renewed: a certificate_pem written by anyone
// else ends automatic renewal for that domain until it is cleared.
//
// The decisions (what to do with a domain now) are made by a pure function,
// [Plan], tested on its own; [Manager] does the I/O around it.
package acme
