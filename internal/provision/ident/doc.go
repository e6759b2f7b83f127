// Package ident reads what a phone's provisioning request says about the
// phone: the vendor, model, firmware and MAC address in its User-Agent
// header ([ParseUserAgent]) and the directory, base name and MAC address in
// the file name it asks for ([ParseFileName]).
//
// Everything here is a hint, never a proof. Anybody can send any User-Agent
// and ask for any file name; the caller decides how much to trust a hint
// (for example, a MAC from the User-Agent that disagrees with the MAC in the
// file name is a reason for suspicion, not a choice between the two).
//
// # User-Agent
//
// Each vendor writes its own format (see the per-vendor parsers); the header
// is cut to [MaxUserAgentLen] bytes before it is read and is scanned by hand
// in linear time, without regular expressions. What comes back is tidied up
// so that it is safe to log and to use as a lookup key: a model is lowercase
// and made of [a-z0-9._+-] only, a firmware version of [A-Za-z0-9._()+-]
// starting with a digit, and a field that does not fit is left empty rather
// than passed on. A MAC is returned only from formats that carry one, in the
// normalised [model.MAC] form, and never one that cannot name a device: the
// broadcast address, or one whose vendor prefix (OUI) is 00:00:00 (see
// below).
//
// # File names
//
// ParseFileName takes the path after the provisioning prefix, already
// percent-decoded once (as net/http's URL.Path). It accepts at most
// [MaxDirs] directory segments (vendor folders such as "Grandstream/") and
// [MaxNameLen] bytes in all, made of ASCII letters, digits and "._-+~@=,"
// only. It refuses empty, "." and dot-prefixed segments, backslashes, control
// bytes, non-ASCII bytes and any '%' (a percent-encoded leftover of a double
// encoding). Every refusal wraps [ErrBadName]; those that look like an
// attempt to climb out of the directory (a ".." segment, raw or hidden
// behind percent-encoding or overlong UTF-8) also wrap [ErrTraversal], which
// [IsTraversal] reports, so that the caller can weigh them as an attack.
//
// The MAC in a base name is a run of exactly twelve hexadecimal digits with
// a non-hexadecimal character or an end of the name on each side
// ("SEP001565A1B2C3.cnf.xml", "cfg001565a1b2c3", "001565a1b2c3-user.cfg").
// Runs whose first six digits are zeros (the OUI 00:00:00, which no phone
// vendor holds) are the common files of Polycom and Yealink
// ("000000000000.cfg", "y000000000066.cfg", "y000000000124.cfg") and the
// all-f run is the broadcast address; neither counts. Two known prefixes end in a hexadecimal
// letter ("ATA" of Cisco ATA190 files and "spa" of Cisco SPA profile rules,
// in either case); after them the run may be thirteen digits long and the
// first is dropped.
// A name with two different MAC-shaped runs is ambiguous and reports none.
//
// The package is pure: no I/O, no logging, no state.
package ident
