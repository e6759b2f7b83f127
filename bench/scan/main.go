// Command scan plays one provisioning scan against two defences, one after
// the other in one run, and prints a row for each:
//
//   - pbxgate: the daemon in this process with its guard (the defaults,
//     but unknown_mac_max as given), one tenant of -devices yealink/t46s
//     devices made through its REST API, plus the phone's;
//
//   - nginx serving the same files (each fetched once from pbxgate) behind
//     auth_basic with a user per device, and fail2ban-server watching
//     nginx's access log with an equivalent jail (401/404 on /provision/
//     per address; maxretry, findtime and bantime from the guard's), its
//     polling backend, and an action that bans at nginx: a deny rule and
//     a reload.
//
// The scenario: a scanner on 127.0.0.9 asks for random MACs of OUI 001565
// at full speed over -c keep-alive connections for up to -t, while a phone
// on 127.0.0.10 fetches its own file with its credentials in a loop.
//
//	go run ./bench/scan [-t 15s] [-c 8] [-devices 1000] [-unknown-mac-max 10] [-creds none|wrong|mixed] [-challenge]
//
// It talks to nothing but loopback (apt-get aside, when it installs
// fail2ban). See README.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/pbxgate/pbxgate/internal/config"
)

type options struct {
	limit                         time.Duration
	devices, conns, unknownMACMax int
	creds                         string
	challenge, install, keep      bool
	nginxBin, fail2banBin         string
	seed                          uint64
	populateWorkers               int
}

func main() {
	var o options
	flag.DurationVar(&o.limit, "t", 15*time.Second, "how long the scanner may go on per side (the phone runs that long)")
	flag.IntVar(&o.conns, "c", 8, "the scanner's concurrent keep-alive connections")
	flag.IntVar(&o.devices, "devices", 1000, "yealink/t46s devices besides the phone's")
	flag.IntVar(&o.unknownMACMax, "unknown-mac-max", 10, "pbxgate's guard.unknown_mac_max, and fail2ban's maxretry")
	flag.StringVar(&o.creds, "creds", "none", "what the scanner sends: none, wrong (Basic, random), mixed (each in turn)")
	flag.BoolVar(&o.challenge, "challenge", false, "the phone asks without credentials first and answers the 401, as many phones do")
	flag.BoolVar(&o.install, "install", true, "install the Debian package fail2ban with apt-get when fail2ban-server is missing (root)")
	flag.StringVar(&o.nginxBin, "nginx", "nginx", "the nginx binary")
	flag.StringVar(&o.fail2banBin, "fail2ban", "fail2ban-server", "the fail2ban-server binary")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory (configurations and logs of every side) and print its path")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the scanner's random MACs")
	flag.IntVar(&o.populateWorkers, "api-workers", 4, "concurrent REST API clients adding the devices")
	flag.Parse()
	if o.limit <= 0 || o.conns < 1 || o.devices < 0 || o.unknownMACMax < 1 || o.populateWorkers < 1 ||
		(o.creds != "none" && o.creds != "wrong" && o.creds != "mixed") {
		fmt.Fprintln(os.Stderr, "scan bench: -t, -c, -unknown-mac-max and -api-workers must be positive, -devices not negative, -creds none, wrong or mixed")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, o)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "scan bench: %v\n", err)
		os.Exit(1)
	}
}

func progress(format string, args ...any) { fmt.Fprintf(os.Stderr, "== "+format+"\n", args...) }

// sideB is what side (b) ran with, for the report; missing says why it
// did not run.
type sideB struct {
	nginx, fail2ban string
	workers         int
	missing         string
}

// results are what a run measured, and with what.
type results struct {
	guard    config.Guard
	setup    time.Duration // adding the devices through the API
	fileSize int           // of the phone's file
	b        sideB
	pg, ng   *outcome // ng nil: side (b) did not run
	noise    []string // the daemon's warnings and errors
}

func run(ctx context.Context, o options) error {
	r, err := measure(ctx, o)
	if err != nil {
		return err
	}
	report(o, r)
	return nil
}

// measure sets both sides up, plays the scenario against each in turn,
// and cleans up.
func measure(ctx context.Context, o options) (*results, error) {
	tmp, err := os.MkdirTemp("", "pbxgate-bench-scan-")
	if err != nil {
		return nil, err
	}
	defer func() {
		if o.keep {
			fmt.Fprintf(os.Stderr, "kept %s\n", tmp)
			return
		}
		_ = os.RemoveAll(tmp)
	}()
	// nginx's workers run as another user: they must traverse it.
	if err := os.Chmod(tmp, 0o711); err != nil {
		return nil, err
	}
	r := &results{guard: config.Default().Guard}
	r.guard.UnknownMACMax = o.unknownMACMax
	sc := scenario{limit: o.limit, conns: o.conns, creds: o.creds, challenge: o.challenge, seed: o.seed}

	progress("pbxgate: starting the daemon, adding %d devices and the phone's through the REST API", o.devices)
	p, err := startPBX(ctx, filepath.Join(tmp, "pbxgate"), o.unknownMACMax)
	if err != nil {
		return nil, fmt.Errorf("start pbxgate: %w", err)
	}
	t0 := time.Now()
	devs, err := p.populate(ctx, o.devices+1, o.populateWorkers)
	if err != nil {
		p.close()
		return nil, fmt.Errorf("add devices: %w", err)
	}
	r.setup = time.Since(t0)
	phone := devs[len(devs)-1]
	r.fileSize = len(phone.body)
	progress("pbxgate: scanning for up to %v", o.limit)
	r.pg = sc.run(ctx, p.base, phone)
	r.pg.decided, r.pg.decidedWhy = p.log.firstBan(scannerIP)
	// Shut down before side (b) runs: the sides do not share the CPUs.
	p.close()
	r.noise = p.log.noise()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.ng, r.b = runNginx(ctx, o, sc, tmp, devs, phone, limits{
		maxretry: r.guard.UnknownMACMax, findtime: r.guard.FindTime.Std(), bantime: r.guard.BanTime.Std(),
	})
	return r, ctx.Err()
}

// runNginx is side (b); it returns nil and says why when nginx or fail2ban
// is not there.
func runNginx(ctx context.Context, o options, sc scenario, tmp string, devs []phoneDevice, phone phoneDevice, lim limits) (*outcome, sideB) {
	var info sideB
	ngx, err := exec.LookPath(o.nginxBin)
	if err != nil {
		info.missing = fmt.Sprintf("nginx not found (%v); bash bench/tls.sh installs it", err)
		return nil, info
	}
	f2b, err := findFail2ban(o.fail2banBin, o.install)
	if err != nil {
		info.missing = fmt.Sprintf("fail2ban unavailable: %v", err)
		return nil, info
	}
	progress("nginx: serving the %d files, starting fail2ban-server", len(devs))
	w, err := startWeb(ngx, filepath.Join(tmp, "nginx"), devs)
	if err != nil {
		info.missing = fmt.Sprintf("nginx did not start: %v", err)
		return nil, info
	}
	defer w.stop()
	info.nginx, info.workers = w.version, w.workers
	f, err := startBanner(f2b, filepath.Join(tmp, "fail2ban"), w, lim)
	if err != nil {
		info.missing = fmt.Sprintf("fail2ban did not start: %v", err)
		return nil, info
	}
	defer f.stop()
	info.fail2ban = f.version
	progress("nginx + fail2ban: scanning for up to %v", o.limit)
	out := sc.run(ctx, w.base, phone)
	var err2 error
	if out.decided, out.decidedWhy, err2 = f.firstBan(scannerIP); err2 != nil {
		out.notes["fail2ban"] = err2.Error()
	}
	if deny, err := os.ReadFile(w.denyFile()); err == nil {
		out.notes["deny file at the end"] = fmt.Sprintf("%q", deny)
	}
	return out, info
}
