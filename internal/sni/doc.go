// Package sni chooses the certificate of every TLS handshake from the domain
// tree (DESIGN §1.2), without a lock and without asking a store.
//
// # Index
//
// [Build] turns the domain tree into an immutable [Index]: every domain's
// effective certificates (its own, else its nearest ancestor's) are computed
// once, so that [Index.Lookup] is one map lookup for a known name and at most
// one map lookup per label for an unknown one. A [Table] holds the current
// Index behind an atomic pointer; a change of the tree builds a new Index and
// swaps it in, and the next handshake sees it.
//
// # Rules
//
// The SNI name is lowercased and one trailing dot dropped. Then:
//
//  1. A domain has the SNI name: its certificates, else its parent's, and so
//     on up to the master. If no domain on that chain has one, there is no
//     domain certificate (the DNS parents are not tried).
//  2. No domain has the SNI name: each DNS parent name is tried in turn
//     (a.b.t.example.com → b.t.example.com → t.example.com → example.com →
//     com), the master domain last in any case (also when it is one of the
//     DNS parents, and also when the SNI name lies outside the master's DNS
//     tree). The first domain found that has certificates of its own wins.
//     A domain found on this walk that has no certificate of its own is
//     skipped: the walk moves on to the next DNS parent name and does not
//     inherit through that domain's parents in the tree. This is our reading
//     of "the first domain found that has certificate_pem wins".
//
// An empty SNI, an IP address literal, and a name that cannot be a DNS name
// (bytes other than letters, digits, '-', '_' and '.', empty labels, labels
// over 63 bytes, names over 253 bytes, an all-digit last label) get no domain
// certificate: the listener's certificate serves them.
//
// A domain certificate is served even if it is expired or does not cover the
// name; [Index.Problems] reports such cases for monitoring.
//
// # Resolver
//
// A [Resolver] per listener implements tls.Config.GetCertificate: the domain
// certificate by SNI (among several, the first the client supports, so an
// RSA-only client gets the RSA one), else the listener's certificate, else the
// default certificate.
package sni
