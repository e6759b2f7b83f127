// Package files serves the voicemail and call-recording trees of a PBX to
// browsers (playback with Range requests) and lists their folders as JSON.
//
// # Security rules
//
// The request path is judged as the client sent it, still percent-encoded
// (the request target, not a cleaned or decoded form), before anything is
// opened. After the mount prefix it must be a sequence of non-empty segments
// separated by single slashes, a trailing slash allowed. The request is
// refused with 400 and a [event.Traversal] event, nothing opened, when:
//
//   - a segment is "." or "..", or contains ".." anywhere ("a..b", "..;");
//   - a segment is empty ("a//b", a leading "//");
//   - a percent escape decodes to '.', '/', '\\', '%' (double encoding), NUL
//     or another control character, in any letter case (%2e, %2E, %5C, %25…);
//   - a raw byte is not one of RFC 3986's path characters: so no backslash,
//     NUL, control character, space, '#', '"' or raw non-ASCII byte;
//   - a decoded segment is not valid UTF-8 (overlong forms such as %c0%ae)
//     or holds a Unicode control character;
//   - the path is longer than 4096 bytes.
//
// Valid UTF-8 beyond ASCII is accepted once percent-encoded: lookalike dots
// and slashes (U+2024, U+FF0E, U+2215, U+FF0F) are plain characters to the
// file system and cannot climb out of the root; such requests simply find
// nothing (404).
//
// A segment that begins with a dot (".htpasswd", ".git") names a hidden file:
// it is answered 404 as if it did not exist, and hidden entries never appear
// in listings.
//
// Every file access goes through an [os.Root] opened on the configured
// directory, so the operating system refuses any name or symbolic link that
// resolves outside it. Symbolic links that stay inside the root are followed
// and served like the files they point to; links that lead out of the root
// are answered 404 and left out of listings. Only regular files and
// directories are served; devices, FIFOs and sockets are answered 404 (and
// are opened non-blocking, so a FIFO cannot stall a request).
//
// Error answers never echo the request path: the body is only "not found",
// "bad request", "forbidden" or "method not allowed". Every 404 emits an
// [event.NotFound] event (the guard counts probes); events carry the raw
// path as Target, the client IP and the realm user that the security
// middleware stored with [reqinfo.With].
//
// Every answer carries "Cache-Control: private, no-store" (voicemail is
// personal data) and "X-Content-Type-Options: nosniff"; file types come from
// the extension only, never from the content.
package files
