package acmetest

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/miekg/dns"
)

// loopback is the only address the DNS server ever answers.
var loopback = net.IPv4(127, 0, 0, 1).To4()

// dnsServer answers every name with 127.0.0.1, over TCP (which Pebble's
// VA uses) and over UDP on the same port when that port is free.
type dnsServer struct {
	addr    string
	servers []*dns.Server
	done    []chan error
}

// startDNS starts a dnsServer on 127.0.0.1 on a port of its own.
func startDNS(ctx context.Context) (*dnsServer, error) {
	var lc net.ListenConfig
	l, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("dns server: %w", err)
	}
	s := &dnsServer{addr: l.Addr().String()}
	handler := dns.HandlerFunc(answerLoopback)
	if err := s.serve(&dns.Server{Listener: l, Handler: handler}); err != nil {
		l.Close()
		return nil, fmt.Errorf("dns server: %w", err)
	}
	// UDP is a convenience for people poking at it with dig; Pebble
	// never uses it, so a taken port only costs that.
	if pc, err := lc.ListenPacket(ctx, "udp", s.addr); err == nil {
		if err := s.serve(&dns.Server{PacketConn: pc, Handler: handler}); err != nil {
			_ = pc.Close() // never served; nothing was lost
		}
	}
	return s, nil
}

// serve runs srv until close, once it is accepting.
func (s *dnsServer) serve(srv *dns.Server) error {
	started := make(chan struct{})
	srv.NotifyStartedFunc = func() { close(started) }
	done := make(chan error, 1)
	go func() { done <- srv.ActivateAndServe() }()
	select {
	case <-started:
		s.servers = append(s.servers, srv)
		s.done = append(s.done, done)
		return nil
	case err := <-done:
		return err
	}
}

// close stops the servers and waits for their goroutines. It returns the
// errors they stopped with.
func (s *dnsServer) close() error {
	var errs []error
	for i, srv := range s.servers {
		_ = srv.Shutdown() // only fails if not started, which serve ruled out
		errs = append(errs, <-s.done[i])
	}
	return errors.Join(errs...)
}

// answerLoopback answers A queries with 127.0.0.1 and every other query
// with an empty NOERROR answer.
func answerLoopback(w dns.ResponseWriter, req *dns.Msg) {
	m := new(dns.Msg)
	m.SetReply(req)
	m.Authoritative = true
	if req.Opcode != dns.OpcodeQuery {
		m.Rcode = dns.RcodeNotImplemented
	} else {
		for _, q := range req.Question {
			if q.Qtype != dns.TypeA || q.Qclass != dns.ClassINET {
				continue
			}
			m.Answer = append(m.Answer, &dns.A{
				Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeA, Class: dns.ClassINET},
				A:   loopback,
			})
		}
	}
	_ = w.WriteMsg(m) // the client went away; nothing to do
}
