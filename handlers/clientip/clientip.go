// Package clientip tells the address of the client of an HTTP request,
// believing X-Forwarded-For only from trusted proxies.
package clientip

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/yingpu/govbot/config"
)

// Resolver finds client addresses. The zero value trusts no proxy.
type Resolver struct {
	proxies []netip.Prefix
}

// New returns a Resolver trusting the proxies (config trusted_proxies).
// Unparsable entries are returned as bad (config.Validate reports them)
// and ignored.
func New(trusted []string) (r Resolver, bad []string) {
	for _, p := range trusted {
		pre, err := config.ParseTrustedProxy(p)
		if err != nil {
			bad = append(bad, p)
			continue
		}
		r.proxies = append(r.proxies, pre)
	}
	return r, bad
}

// IP is the address recorded for a request: the peer's, unless the peer
// is a trusted proxy, in which case the right-most address in
// X-Forwarded-For that is not itself a trusted proxy.
func (res Resolver) IP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !res.trusted(peer) {
		return host
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		for _, h := range strings.Split(v, ",") {
			if h = strings.TrimSpace(h); h != "" {
				hops = append(hops, h)
			}
		}
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		ip, err := netip.ParseAddr(hops[i])
		if err != nil {
			break // a malformed hop: believe nothing beyond it
		}
		client = ip
		if !res.trusted(ip) {
			break
		}
	}
	return client.Unmap().String()
}

func (res Resolver) trusted(ip netip.Addr) bool {
	ip = ip.Unmap()
	for _, p := range res.proxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
