package certs

import (
	"strings"
	"testing"
	"time"
)

func TestFormatMarker(t *testing.T) {
	m := Marker{
		Issuer:   "https://acme-v02.api.letsencrypt.org/directory",
		Order:    "https://acme-v02.api.letsencrypt.org/acme/order/1234/5678",
		IssuedAt: time.Date(2026, 3, 1, 13, 0, 0, 500, time.FixedZone("CET", 3600)),
	}
	want := "# pbxgate-acme: issued automatically; a manual change ends automatic renewal\n" +
		"# issuer: https://acme-v02.api.letsencrypt.org/directory\n" +
		"# order: https://acme-v02.api.letsencrypt.org/acme/order/1234/5678\n" +
		"# issued-at: 2026-03-01T12:00:00Z\n"
	if got := FormatMarker(m); got != want {
		t.Errorf("FormatMarker =\n%s\nwant\n%s", got, want)
	}
	// Control characters cannot end a field early.
	got := FormatMarker(Marker{Issuer: "a\nb", Order: "c\r\n# issuer: evil", IssuedAt: testNow})
	if strings.Count(got, "\n") != 4 || !strings.Contains(got, "# issuer: a b\n") {
		t.Errorf("FormatMarker with line breaks in fields:\n%s", got)
	}
}

func TestMarkerRoundTrip(t *testing.T) {
	t.Parallel()
	p := newGoPKI(t)
	k := newKey(t, "ecdsa-p256")
	body := s(keyPEM(t, k, "pkcs8"), certPEM(p.leaf(t, k, nil, "pbx.example.com"), p.inter))
	tests := []struct {
		name string
		m    Marker
	}{
		{"ok/lets-encrypt", Marker{Issuer: "https://acme-v02.api.letsencrypt.org/directory", Order: "https://acme-v02.api.letsencrypt.org/acme/order/1/2", IssuedAt: testNow}},
		{"ok/issuer-name", Marker{Issuer: "Let's Encrypt: R3 #1", Order: "urn:x", IssuedAt: testNow.Add(time.Second)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, text := range []string{FormatMarker(tc.m) + body, strings.ReplaceAll(FormatMarker(tc.m)+body, "\n", "\r\n")} {
				merged, err := ParseMerged(text)
				if err != nil {
					t.Fatal(err)
				}
				if merged.Marker == nil {
					t.Fatalf("no marker; warnings %q", merged.Warnings)
				}
				if got := *merged.Marker; got.Issuer != tc.m.Issuer || got.Order != tc.m.Order || !got.IssuedAt.Equal(tc.m.IssuedAt) {
					t.Errorf("marker %+v, want %+v", got, tc.m)
				}
				if len(merged.Warnings) != 0 {
					t.Errorf("warnings %q", merged.Warnings)
				}
			}
		})
	}
}

// TestMarkerMalformed checks that a marker that is not exactly right is a
// warning and leaves the certificate manual.
func TestMarkerMalformed(t *testing.T) {
	t.Parallel()
	p := newGoPKI(t)
	k := newKey(t, "ecdsa-p256")
	body := s(keyPEM(t, k, "pkcs8"), certPEM(p.leaf(t, k, nil, "pbx.example.com")))
	good := FormatMarker(Marker{Issuer: "https://acme.example/dir", Order: "https://acme.example/order/1", IssuedAt: testNow})
	head := "# pbxgate-acme: issued automatically; a manual change ends automatic renewal\n"
	tests := []struct {
		name, text, warn string
	}{
		{"fail/bad-time", head + "# issuer: x\n# order: y\n# issued-at: yesterday\n" + body,
			`malformed pbxgate-acme marker at line 4: issued-at "yesterday" is not an RFC 3339 time; the certificate is treated as installed by hand`},
		{"fail/missing-order", head + "# issuer: x\n# issued-at: 2026-03-01T12:00:00Z\n" + body,
			`malformed pbxgate-acme marker at line 1: field "order" is missing`},
		{"fail/unknown-field", strings.Replace(good, "# order:", "# orderr:", 1) + body,
			`malformed pbxgate-acme marker at line 3: unknown field "orderr"`},
		{"fail/repeated-field", good + "# issuer: y\n" + body, `malformed pbxgate-acme marker at line 5: field "issuer" given twice`},
		{"fail/empty-field", strings.Replace(good, "# issuer: https://acme.example/dir", "# issuer:", 1) + body,
			`malformed pbxgate-acme marker at line 2: field "issuer" is empty`},
		{"fail/not-a-field", head + "# just a comment\n" + body, `malformed pbxgate-acme marker at line 2: "# just a comment" is not a field`},
		{"fail/flattened", strings.ReplaceAll(good+body, "\n", " "), "malformed pbxgate-acme marker at line 1"},
		{"fail/marker-runs-into-section", strings.TrimSuffix(good, "\n") + " " + body,
			"malformed pbxgate-acme marker at line 4 (byte offset"},
		{"fail/not-first-line", "date=2026-03-01\n" + good + body,
			"the pbxgate-acme marker at line 2 is ignored: it is only honoured on the first lines of the text"},
		{"fail/blank-line-first", "\n" + good + body, "the pbxgate-acme marker at line 2 is ignored"},
		{"fail/after-the-sections", body + good, "is ignored: it is only honoured on the first lines"},
	}
	t.Run("ok/second-marker-ignored", func(t *testing.T) {
		m, err := ParseMerged(good + "date=x\n" + good + body)
		if err != nil {
			t.Fatal(err)
		}
		if m.Marker == nil || len(m.Warnings) != 1 || m.Warnings[0] != "the pbxgate-acme marker at line 6 is ignored: only the one on the first lines counts" {
			t.Errorf("marker %v, warnings %q", m.Marker, m.Warnings)
		}
	})
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := ParseMerged(tc.text)
			if err != nil {
				t.Fatal(err)
			}
			if m.Marker != nil {
				t.Errorf("marker %+v accepted", *m.Marker)
			}
			if len(m.Warnings) == 0 || !strings.Contains(m.Warnings[0], tc.warn) {
				t.Errorf("warnings %q, want one saying %q", m.Warnings, tc.warn)
			}
		})
	}
}
