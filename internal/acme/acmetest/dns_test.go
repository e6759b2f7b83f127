package acmetest

import (
	"testing"

	"github.com/miekg/dns"
)

func TestDNSAnswersLoopback(t *testing.T) {
	s, err := startDNS(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.close(); err != nil {
			t.Error(err)
		}
	})

	for _, tc := range []struct {
		name   string
		net    string
		qtype  uint16
		wantA  bool
		qname  string
		opcode int
		rcode  int
	}{
		{"ok/a-tcp", "tcp", dns.TypeA, true, "tenant1.pbx.test.", dns.OpcodeQuery, dns.RcodeSuccess},
		{"ok/a-udp", "udp", dns.TypeA, true, "tenant1.pbx.test.", dns.OpcodeQuery, dns.RcodeSuccess},
		{"ok/a-any-name", "tcp", dns.TypeA, true, "www.example.com.", dns.OpcodeQuery, dns.RcodeSuccess},
		{"ok/aaaa-empty", "tcp", dns.TypeAAAA, false, "tenant1.pbx.test.", dns.OpcodeQuery, dns.RcodeSuccess},
		{"ok/txt-empty", "tcp", dns.TypeTXT, false, "_acme-challenge.tenant1.pbx.test.", dns.OpcodeQuery, dns.RcodeSuccess},
		{"ok/caa-empty", "udp", dns.TypeCAA, false, "tenant1.pbx.test.", dns.OpcodeQuery, dns.RcodeSuccess},
		{"fail/notify-not-implemented", "tcp", dns.TypeSOA, false, "pbx.test.", dns.OpcodeNotify, dns.RcodeNotImplemented},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := new(dns.Msg)
			m.SetQuestion(tc.qname, tc.qtype)
			m.Opcode = tc.opcode
			c := &dns.Client{Net: tc.net}
			in, _, err := c.ExchangeContext(t.Context(), m, s.addr)
			if err != nil {
				t.Fatalf("exchange: %v", err)
			}
			if in.Rcode != tc.rcode {
				t.Errorf("rcode = %s, want %s", dns.RcodeToString[in.Rcode], dns.RcodeToString[tc.rcode])
			}
			if !tc.wantA {
				if len(in.Answer) != 0 {
					t.Errorf("answer = %v, want none", in.Answer)
				}
				return
			}
			if len(in.Answer) != 1 {
				t.Fatalf("answer = %v, want one A record", in.Answer)
			}
			a, ok := in.Answer[0].(*dns.A)
			if !ok || !a.A.Equal(loopback) || a.Hdr.Name != tc.qname {
				t.Errorf("answer = %v, want %s A 127.0.0.1", in.Answer[0], tc.qname)
			}
		})
	}
}
