// Package provision is pbxgate's provisioning server: the model of the
// phones an operator deploys (tenants are domains of the tree; extensions,
// templates, devices, IP/DNS mappings and settings) and the file server
// that hands each phone its configuration at /provision/.
//
// # Model
//
// [Service] validates every write (errors name the API field), stores it
// through the [Store] this package declares, and keeps the whole model in an
// in-memory index that the file server reads without touching the store.
// Writes of this process apply to the index at once, in order; writes of
// other processes sharing the store are found by polling its revision
// ([Service.Load]).
//
// # Serving
//
// [Server] serves the files the phone vendors of package vendors name.
// Common files carry no secret and are served to anyone. A device file is
// served only to the device's own credentials (generated, Digest or Basic,
// written into the file so that the phone uses them from then on) or to its
// tenant's bootstrap credentials from the tenant's allowed networks; without
// them every device file name gets the same 401, known MAC or not. Unknown
// MACs and refused credentials are security events for the guard; every
// request for a known device's file is written to its audit trail.
//
// docs/design/provisioning.md has the reasons.
package provision
