package guard_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/pbxgate/pbxgate/internal/event"
	"github.com/pbxgate/pbxgate/internal/guard"
)

// clock is a settable clock for the examples.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func newExample(edit func(*guard.Config)) (*guard.Guard, *clock) {
	clk := &clock{t: time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)}
	cfg := guard.Config{Now: clk.Now}
	if edit != nil {
		edit(&cfg)
	}
	g, err := guard.New(cfg)
	if err != nil {
		panic(err)
	}
	return g, clk
}

// The default policy: five failures within ten minutes ban for ten minutes;
// a path traversal bans at once.
func Example() {
	g, clk := newExample(nil)
	scanner := netip.MustParseAddr("203.0.113.7")
	for i := range 5 {
		d := g.Observe(event.Event{Kind: event.AuthFailure, Time: clk.t, Context: "voicemail", RemoteIP: scanner, User: fmt.Sprint("user", i)})
		fmt.Println(d.Score, d.Reason)
	}
	b, banned := g.Banned(scanner)
	fmt.Println(banned, b.Until.Sub(b.Since), b.Reason)

	d := g.Observe(event.Event{Kind: event.Traversal, Time: clk.t, RemoteIP: netip.MustParseAddr("198.51.100.9"), Target: "/../../etc/passwd"})
	fmt.Println(d.Banned, d.Weight, d.Reason)
	// Output:
	// 1 counted
	// 2 counted
	// 3 counted
	// 4 counted
	// 5 max-retry
	// true 10m0s max-retry
	// true 5 max-retry
}

// A source banned again while its last ban is remembered is banned twice as
// long, up to BanMax.
func ExamplePolicy_Duration() {
	p := guard.Policy{BanTime: 10 * time.Minute, BanFactor: 2, BanMax: 2 * time.Hour}
	for n := 1; n <= 6; n++ {
		fmt.Println(n, p.Duration(n))
	}
	// Output:
	// 1 10m0s
	// 2 20m0s
	// 3 40m0s
	// 4 1h20m0s
	// 5 2h0m0s
	// 6 2h0m0s
}

// Behind the NAT address of an office whose phones authenticate, one phone
// with a wrong password fails forever without banning the office; five users
// failing within ten minutes is a scan and bans it.
func Example_site() {
	g, clk := newExample(nil)
	office := netip.MustParseAddr("198.51.100.10")
	g.Success(office, "provisioning", "phone-101", "001565000101", clk.t)
	for range 100 {
		clk.t = clk.t.Add(10 * time.Second)
		g.Observe(event.Event{Kind: event.AuthFailure, Time: clk.t, Context: "provisioning", RemoteIP: office, User: "phone-102", Target: "001565000102"})
	}
	_, banned := g.Banned(office)
	fmt.Println("broken phone: banned", banned)
	for _, user := range []string{"admin", "root", "test", "guest"} {
		d := g.Observe(event.Event{Kind: event.AuthFailure, Time: clk.t, RemoteIP: office, User: user})
		fmt.Println(user, d.Score, d.Reason)
	}
	// Output:
	// broken phone: banned false
	// admin 2 site
	// root 3 site
	// test 4 site
	// guest 5 site-users
}

// Twenty sources probing one unknown MAC each of one vendor prefix are a
// sweep: for that prefix, a second probe bans.
func Example_sweep() {
	g, clk := newExample(nil)
	for i := range 20 {
		ip := netip.AddrFrom4([4]byte{192, 0, 2, byte(i)})
		g.Observe(event.Event{Kind: event.UnknownMAC, Time: clk.t, RemoteIP: ip, Target: fmt.Sprintf("001565%06x", i)})
	}
	for _, s := range g.Sweeps() {
		fmt.Println(s.OUI, s.Sources, s.Active)
	}
	late := netip.MustParseAddr("203.0.113.50")
	for _, mac := range []string{"0015650000aa", "0004f2000001", "0015650000ab"} {
		d := g.Observe(event.Event{Kind: event.UnknownMAC, Time: clk.t, RemoteIP: late, Target: mac})
		fmt.Println(mac, d.Sweep, d.Reason)
	}
	// Output:
	// 001565 20 true
	// 0015650000aa true counted
	// 0004f2000001 false counted
	// 0015650000ab true sweep
}

// The allowlist always wins.
func Example_allowlist() {
	g, clk := newExample(func(c *guard.Config) {
		c.Allowlist = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	})
	admin := netip.MustParseAddr("10.1.2.3")
	d := g.Observe(event.Event{Kind: event.Traversal, Time: clk.t, RemoteIP: admin})
	fmt.Println(d.Reason)
	_, err := g.Ban(admin, time.Hour, "test")
	fmt.Println(err)
	// Output:
	// allowlisted
	// ban 10.1.2.3: address is allowlisted
}
