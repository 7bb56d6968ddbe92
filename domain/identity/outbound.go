package identity

import (
	"errors"
	"net"
	"net/netip"
	"net/url"
)

// checkOutboundURL refuses URLs the platform should not call on a tenant's
// behalf: other schemes than http(s), and (unless allowPrivate) hosts that
// are or resolve to loopback, private, link-local or unspecified addresses.
func checkOutboundURL(raw string, allowPrivate bool) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" {
		return errors.New("outbound URL must be an absolute http(s) URL")
	}
	if allowPrivate {
		return nil
	}
	host := u.Hostname()
	addrs := []string{host}
	if _, err := netip.ParseAddr(host); err != nil {
		if addrs, err = net.LookupHost(host); err != nil {
			return err
		}
	}
	for _, a := range addrs {
		ip, err := netip.ParseAddr(a)
		if err != nil {
			return err
		}
		ip = ip.Unmap() // ::ffff:127.0.0.1 is loopback too
		if ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsUnspecified() {
			return errors.New("outbound URL resolves to a private address")
		}
	}
	return nil
}
