package proxy

import (
	"net"
	"net/http"
	"time"
)

// NewTransport returns the transport the proxy uses when none is given:
// direct dialling (environment proxies ignored) with a 10s dial and TLS
// handshake timeout, a 60s wait for response headers, kept-alive idle
// connections, and HTTP/1.1 only (WebSocket upgrades need it).
func NewTransport() *http.Transport {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           d.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   32,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     false,
	}
}
