package regsync_test

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
)

// httpClient GETs over TLS trusting one CA.
type httpClient struct{ ca string }

func (c *httpClient) get(u string) ([]byte, error) {
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(c.ca))
	cl := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer cl.CloseIdleConnections()
	resp, err := cl.Get(u)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return io.ReadAll(resp.Body)
}
