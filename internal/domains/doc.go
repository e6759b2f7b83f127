// Package domains keeps the rules of pbxgate's domain tree: the tree that
// the TLS listeners choose certificates from (DESIGN §1.2) and, later, the
// tenants of provisioning. The master domain is the root; every other
// domain names a parent, so that a domain without a certificate of its own
// is served its parent's, up to the master.
//
// The package is pure of storage: it declares the [Store] it needs, and the
// composition root adapts the database to it. It does not parse
// certificates either; certificate_pem is text that package certs reads.
//
// # Names
//
// A domain name is a DNS name as a TLS client sends it in SNI: labels of 1 to
// 63 letters, digits and hyphens, no label starting or ending with a hyphen,
// at most 253 characters, and a last label that is not all digits (that
// would be an IP address). [NormalizeName] lowercases it and drops one
// trailing dot. Wildcards ("*.example.com") are refused: they belong in
// certificates, and the SNI lookup's walk up the DNS parents already
// serves a subdomain its parent domain's certificate. Internationalised
// names are given in their ASCII (xn--) form.
//
// # Rules
//
//   - The master domain, named when the [Service] is made, always exists
//     ([Service.EnsureMaster]), is the only domain without a parent, and
//     can be neither removed nor moved.
//   - [Service.Add] defaults an empty parent to the nearest DNS parent that
//     is a domain (a.b.example.com: b.example.com, else example.com, …),
//     else to the master; an explicit parent must exist.
//   - [Service.Update] applies a [Patch]: only the fields it sets change. A
//     new parent must exist and must not lie below the domain. Renaming is
//     not supported: remove and add.
//   - [Service.Remove] refuses a domain with children unless asked to remove
//     the whole subtree.
//   - Writes are optimistic: every domain has a Revision that changes on
//     every write, and a write naming a revision that is no longer the
//     stored one fails with [ErrConflict].
//
// # Errors
//
// Bad input is a [*FieldError] naming the API field ("name", "parent",
// "certificate_pem", "acme_enabled", "acme_account_email", "revision") and
// wrapping [ErrInvalid]; several bad fields are joined ([FieldErrors] lists
// them). The other outcomes a caller branches on are [ErrNotFound],
// [ErrExists], [ErrHasChildren] and [ErrConflict].
package domains
