package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// jail is the name of the one fail2ban jail.
const jail = "provision-scan"

// failregex counts what pbxgate counts as unknown-MAC misses: 401 and 404
// answers to /provision/ in nginx's combined log, by client address.
// fail2ban takes the date out of the line before matching (the "[]").
const failregex = `^<HOST> - \S+ \[\] "[A-Z]+ /provision/\S* HTTP/[\d.]+" (?:401|404) \d+ "`

// banner is side (b)'s fail2ban: fail2ban-server in the foreground with its
// own configuration directory, socket, pid file and database, all in dir.
type banner struct {
	cmd     *exec.Cmd
	done    chan struct{}
	dir     string
	version string
}

// f2bFiles are the configuration, by path under the directory, with
// @placeholders@ for the paths and the limits.
var f2bFiles = map[string]string{
	"fail2ban.conf": `[Definition]
loglevel = INFO
logtarget = @dir@/fail2ban.log
socket = @dir@/fail2ban.sock
pidfile = @dir@/fail2ban.pid
dbfile = @dir@/fail2ban.sqlite3
dbpurgeage = 1d
syslogsocket = auto
allowipv6 = auto
`,
	"jail.conf": `[DEFAULT]
# Nothing is exempt: the scanner and the phone are loopback addresses,
# which the packaged defaults (ignoreip = 127.0.0.1/8) never ban.
ignoreself = false
ignoreip =
usedns = no
backend = polling

[` + jail + `]
enabled = true
filter = ` + jail + `
action = nginx-deny
logpath = @log@
maxretry = @maxretry@
findtime = @findtime@
bantime = @bantime@
`,
	"filter.d/" + jail + ".conf": `[Definition]
failregex = ` + failregex + `
ignoreregex =
datepattern = ^[^\[]*\[({DATE})
`,
	// The ban is nginx's, not the firewall's: a deny rule in the server's
	// include file, then a reload (HUP to nginx's master).
	"action.d/nginx-deny.conf": `[Definition]
actionstart =
actionstop =
actioncheck =
actionban = echo 'deny <ip>;' >> '@deny@' && kill -HUP "$(cat '@nginxpid@')"
actionunban = sed -i '/^deny <ip>;$/d' '@deny@' && kill -HUP "$(cat '@nginxpid@')"
`,
}

// limits are a jail's maxretry, findtime and bantime.
type limits struct {
	maxretry          int
	findtime, bantime time.Duration
}

// startBanner writes the configuration into dir and starts bin
// (fail2ban-server) on it, watching w's access log with lim; it returns
// once the jail runs.
func startBanner(bin, dir string, w *web, lim limits) (*banner, error) {
	fill := strings.NewReplacer("@dir@", dir, "@log@", w.accessLog(), "@deny@", w.denyFile(), "@nginxpid@", w.pidFile(),
		"@maxretry@", fmt.Sprint(lim.maxretry), "@findtime@", fmt.Sprint(int(lim.findtime.Seconds())),
		"@bantime@", fmt.Sprint(int(lim.bantime.Seconds())))
	for name, text := range f2bFiles {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, []byte(fill.Replace(text)), 0o600); err != nil {
			return nil, err
		}
	}
	b := &banner{dir: dir, done: make(chan struct{})}
	if v, err := exec.Command(bin, "-V").Output(); err == nil {
		b.version = strings.TrimSpace(string(v))
	}
	b.cmd = exec.Command(bin, "-f", "-x", "-c", dir, "-s", filepath.Join(dir, "fail2ban.sock"),
		"-p", filepath.Join(dir, "fail2ban.pid"), "--logtarget", b.logFile())
	out, err := os.Create(filepath.Join(dir, "stdout.log"))
	if err != nil {
		return nil, err
	}
	defer out.Close()
	b.cmd.Stdout, b.cmd.Stderr = out, out
	b.cmd.SysProcAttr = childAttrs()
	if err := b.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { _ = b.cmd.Wait(); close(b.done) }()
	started := "Jail '" + jail + "' started"
	for deadline := time.Now().Add(30 * time.Second); ; {
		if log, _ := os.ReadFile(b.logFile()); strings.Contains(string(log), started) {
			return b, nil
		}
		select {
		case <-b.done:
			return nil, fmt.Errorf("fail2ban-server exited: %s %s", lastLines(b.logFile(), 5), lastLines(out.Name(), 5))
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			b.stop()
			return nil, fmt.Errorf("the jail did not start in 30s: %s", lastLines(b.logFile(), 5))
		}
	}
}

func (b *banner) logFile() string { return filepath.Join(b.dir, "fail2ban.log") }

// stop ends fail2ban-server: TERM (it stops the jail, lifting its bans),
// then KILL after 10s.
func (b *banner) stop() { endChild(b.cmd, b.done, 10*time.Second) }

// firstBan reads the time of fail2ban's first "Ban <ip>" from its log
// (local time, milliseconds), and the count it logged with it.
func (b *banner) firstBan(ip string) (time.Time, string, error) {
	f, err := os.Open(b.logFile())
	if err != nil {
		return time.Time{}, "", err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if !strings.Contains(line, "["+jail+"] Ban "+ip) || len(line) < 23 {
			continue
		}
		t, err := time.ParseInLocation("2006-01-02 15:04:05,000", line[:23], time.Local)
		_, msg, _ := strings.Cut(line, "]: ")
		return t, strings.Join(strings.Fields(msg), " "), err
	}
	if err := sc.Err(); err != nil {
		return time.Time{}, "", err
	}
	return time.Time{}, "", errors.New("no ban in fail2ban's log")
}

// findFail2ban returns the path of fail2ban-server, installing the Debian
// package fail2ban first when it is missing and install is set.
func findFail2ban(name string, install bool) (string, error) {
	if p, err := exec.LookPath(name); err == nil || !install {
		return p, err
	}
	fmt.Fprintln(os.Stderr, "== installing fail2ban (apt-get)")
	if err := aptInstall("fail2ban"); err != nil {
		return "", fmt.Errorf("%s is missing and apt-get could not install fail2ban: %w", name, err)
	}
	return exec.LookPath(name)
}

// aptInstall installs Debian packages without their recommendations, and
// without letting their init scripts start a system service (Debian's
// policy-rc.d convention, only while installing): a system fail2ban would
// firewall the host.
func aptInstall(pkgs ...string) error {
	if os.Geteuid() != 0 {
		return errors.New("needs root")
	}
	const policy = "/usr/sbin/policy-rc.d"
	if _, err := os.Lstat(policy); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(policy, []byte("#!/bin/sh\nexit 101\n"), 0o755); err != nil {
			return err
		}
		defer func() { _ = os.Remove(policy) }()
	}
	for _, args := range [][]string{{"update", "-qq"}, append([]string{"install", "-y", "-qq", "--no-install-recommends"}, pkgs...)} {
		cmd := exec.Command("apt-get", args...)
		cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("apt-get %s: %w: %s", args[0], err, lastText(out))
		}
	}
	return nil
}

func lastText(out []byte) string {
	s := strings.TrimSpace(string(out))
	return s[max(0, len(s)-300):]
}
