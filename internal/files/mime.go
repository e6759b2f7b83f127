package files

import (
	"path"
	"strings"
)

// contentTypes maps lower-case extensions to the types served. Anything else
// is application/octet-stream: the content is never sniffed.
var contentTypes = map[string]string{
	".wav":  "audio/wav",
	".gsm":  "audio/gsm",
	".mp3":  "audio/mpeg",
	".ogg":  "audio/ogg",
	".opus": "audio/opus",
	".m4a":  "audio/mp4",
	".flac": "audio/flac",
	".txt":  "text/plain; charset=utf-8",
}

// dirType is the "type" of a directory in listings (the freedesktop.org
// shared-mime-info name).
const dirType = "inode/directory"

func contentType(name string) string {
	if t, ok := contentTypes[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	return "application/octet-stream"
}
