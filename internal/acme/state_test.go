package acme

import (
	"testing"
	"time"
)

func TestBackoff(t *testing.T) {
	tests := []struct {
		name     string
		failures int
		jitter   float64
		want     time.Duration
	}{
		{"first/no-jitter", 1, 0.5, time.Minute},
		{"second/doubles", 2, 0.5, 2 * time.Minute},
		{"fifth", 5, 0.5, 16 * time.Minute},
		{"capped/at-a-day", 20, 0.5, 24 * time.Hour},
		{"capped/huge", 1 << 30, 0.5, 24 * time.Hour},
		{"jitter/low", 1, 0, 48 * time.Second},
		{"jitter/high", 1, 1, 72 * time.Second},
		{"zero-failures/as-first", 0, 0.5, time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Backoff(tc.failures, func() float64 { return tc.jitter }); got != tc.want {
				t.Errorf("Backoff(%d) = %v, want %v", tc.failures, got, tc.want)
			}
		})
	}
}

func TestRegisteredDomain(t *testing.T) {
	tests := map[string]string{
		"a.b.example.com":     "example.com",
		"example.com":         "example.com",
		"tenant.pbx.co.uk":    "pbx.co.uk",
		"x.y.z.pbx.test":      "pbx.test",
		"com":                 "com",
		"single":              "single",
		"a.b.blogspot.com":    "b.blogspot.com",
		"deep.a.b.c.d.e.corp": "e.corp",
	}
	for in, want := range tests {
		t.Run(in, func(t *testing.T) {
			if got := RegisteredDomain(in); got != want {
				t.Errorf("RegisteredDomain(%q) = %q, want %q", in, got, want)
			}
		})
	}
}

func TestBudget(t *testing.T) {
	const day = 24 * time.Hour
	t.Run("fills-up-then-waits-for-the-oldest", func(t *testing.T) {
		var b budget
		for i := range 3 {
			if ok, _ := b.take(t0.Add(time.Duration(i)*day), 3); !ok {
				t.Fatalf("order %d refused", i)
			}
		}
		ok, free := b.take(t0.Add(3*day), 3)
		if ok || !free.Equal(t0.Add(7*day)) {
			t.Fatalf("fourth order: ok %v free %v, want refused until %v", ok, free, t0.Add(7*day))
		}
		if len(b.Orders) != 3 {
			t.Fatalf("a refused order was recorded: %v", b.Orders)
		}
	})
	t.Run("old-orders-drop-out", func(t *testing.T) {
		b := budget{Orders: []time.Time{t0, t0.Add(time.Hour)}}
		if ok, _ := b.take(t0.Add(7*day), 2); !ok {
			t.Fatal("refused although the first order is a week old")
		}
		if len(b.Orders) != 2 {
			t.Fatalf("orders = %v, want the two of the last week", b.Orders)
		}
	})
	t.Run("unsorted-record", func(t *testing.T) {
		b := budget{Orders: []time.Time{t0.Add(2 * day), t0, t0.Add(day)}}
		ok, free := b.take(t0.Add(3*day), 2)
		if ok || !free.Equal(t0.Add(8*day)) {
			t.Fatalf("ok %v free %v, want refused until %v (the second newest + 7d)", ok, free, t0.Add(8*day))
		}
	})
}

func TestValidToken(t *testing.T) {
	for _, tc := range []struct {
		tok  string
		want bool
	}{
		{"LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0", true},
		{"a-b_c", true},
		{"", false},
		{"../etc/passwd", false},
		{"a/b", false},
		{"a%2Fb", false},
		{"tok\x00", false},
		{"tök", false},
		{string(make([]byte, 129)), false},
	} {
		if got := validToken(tc.tok); got != tc.want {
			t.Errorf("validToken(%q) = %v, want %v", tc.tok, got, tc.want)
		}
	}
}
