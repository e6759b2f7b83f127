package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestFilter: the jail counts 401 and 404 answers to /provision/ in nginx's
// combined log, whatever the user, and nothing else.
func TestFilter(t *testing.T) {
	bin, err := exec.LookPath("fail2ban-regex")
	if err != nil {
		t.Skip("fail2ban-regex not installed")
	}
	filter := filepath.Join(t.TempDir(), jail+".conf")
	if err := os.WriteFile(filter, []byte(f2bFiles["filter.d/"+jail+".conf"]), 0o600); err != nil {
		t.Fatal(err)
	}
	date := time.Now().Format("02/Jan/2006:15:04:05 -0700")
	for _, tc := range []struct {
		name, user, path string
		status           int
		counted          bool
	}{
		{"counted/401-no-user", "-", "/provision/001565a1b2c3.cfg", 401, true},
		{"counted/401-wrong-user", "001565a1b2c3", "/provision/001565a1b2c3.cfg", 401, true},
		{"counted/404", "-", "/provision/y000000000066.cfg", 404, true},
		{"ignored/200", "phone", "/provision/001565000001.cfg", 200, false},
		{"ignored/403-banned", "-", "/provision/001565a1b2c3.cfg", 403, false},
		{"ignored/404-elsewhere", "-", "/favicon.ico", 404, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			line := "127.0.0.9 - " + tc.user + " [" + date + `] "GET ` + tc.path + ` HTTP/1.1" ` +
				strconv.Itoa(tc.status) + ` 179 "-" "Go-http-client/1.1"`
			out, err := exec.Command(bin, line, filter).CombinedOutput()
			if err != nil {
				t.Fatalf("fail2ban-regex: %v\n%s", err, out)
			}
			matched := strings.Contains(string(out), " 1 matched")
			if matched != tc.counted {
				t.Errorf("%s: matched %v, want %v\n%s", line, matched, tc.counted, out)
			}
		})
	}
}

// TestScan: a short run of both sides (nginx's when nginx and fail2ban are
// installed): the scanner gets no file, pbxgate stops it within its budget,
// and the phone, which sends its credentials, never fails.
func TestScan(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the daemon, nginx and fail2ban")
	}
	o := options{limit: 2 * time.Second, conns: 4, devices: 5, unknownMACMax: 10, creds: "mixed",
		nginxBin: "nginx", fail2banBin: "fail2ban-server", seed: 1, populateWorkers: 2}
	r, err := measure(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	for name, oc := range map[string]*outcome{"pbxgate": r.pg, "nginx": r.ng} {
		if oc == nil {
			t.Logf("%s: not run: %s", name, r.b.missing)
			continue
		}
		t.Logf("%s: scanner %d answers %v, stopped by %v; phone %d ok, failed %v", name, oc.answered(), oc.answers, oc.refusals, oc.phoneOK, oc.phoneBad)
		if oc.answers[200] != 0 {
			t.Errorf("%s: the scanner got %d files", name, oc.answers[200])
		}
		if oc.phoneOK == 0 || oc.phoneFailed() != 0 {
			t.Errorf("%s: phone %d ok, failures %v", name, oc.phoneOK, oc.phoneBad)
		}
	}
	if r.pg.stopped != o.conns {
		t.Errorf("pbxgate stopped %d of the scanner's %d connections", r.pg.stopped, o.conns)
	}
	// A request already past the ban check when it fell is still answered:
	// at most one per connection.
	if n := r.pg.answered(); n > o.unknownMACMax+o.conns {
		t.Errorf("pbxgate answered the scanner %d times, want at most %d", n, o.unknownMACMax+o.conns)
	}
}
