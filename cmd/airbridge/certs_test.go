package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// certsCmd runs "airbridge certs args…" through env.certs.
func certsCmd(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := &environment{
		ctx:    t.Context(),
		getenv: func(string) string { return "" },
		stdin:  strings.NewReader(""),
		stdout: &out,
		stderr: &errOut,
	}
	err = env.certs(args)
	return out.String(), errOut.String(), err
}

func TestCertsDev(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls") // created by the command
	stdout, stderr, err := certsCmd(t, "dev", "--dir", dir, "--host", "airbridge.test", "--host", "10.1.2.3", "--days", "7")
	if err != nil {
		t.Fatalf("certs dev: %v\nstderr: %s", err, stderr)
	}
	certPath, keyPath := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")

	pair, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		t.Fatalf("LoadX509KeyPair: %v", err)
	}
	cert := pair.Leaf
	if cert == nil {
		if cert, err = x509.ParseCertificate(pair.Certificate[0]); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := cert.DNSNames, []string{"localhost", "airbridge.test"}; !slices.Equal(got, want) {
		t.Errorf("DNS names %q, want %q", got, want)
	}
	var ips []string
	for _, ip := range cert.IPAddresses {
		ips = append(ips, ip.String())
	}
	if want := []string{"127.0.0.1", "::1", "10.1.2.3"}; !slices.Equal(ips, want) {
		t.Errorf("IP addresses %q, want %q", ips, want)
	}
	if cert.Subject.CommonName != "airbridge development" {
		t.Errorf("common name %q", cert.Subject.CommonName)
	}
	if cert.IsCA || !cert.BasicConstraintsValid {
		t.Errorf("IsCA %v, BasicConstraintsValid %v, want a valid CA:false", cert.IsCA, cert.BasicConstraintsValid)
	}
	if cert.KeyUsage != x509.KeyUsageDigitalSignature || !slices.Equal(cert.ExtKeyUsage, []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}) {
		t.Errorf("key usage %v, extended %v", cert.KeyUsage, cert.ExtKeyUsage)
	}
	if pub, ok := cert.PublicKey.(*ecdsa.PublicKey); !ok || pub.Curve != elliptic.P256() {
		t.Errorf("public key %T, want ECDSA P-256", cert.PublicKey)
	}
	if n := cert.SerialNumber.BitLen(); n < 100 || n > 128 {
		t.Errorf("serial number of %d bits, want a random 128-bit one", n)
	}
	if d := time.Until(cert.NotAfter); d < 7*24*time.Hour-time.Minute || d > 7*24*time.Hour {
		t.Errorf("expires in %v, want 7 days", d)
	}
	if d := time.Since(cert.NotBefore); d < time.Hour-time.Minute || d > time.Hour+time.Minute {
		t.Errorf("valid since %v ago, want an hour", d)
	}

	keyPEM, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	if block, _ := pem.Decode(keyPEM); block == nil || block.Type != "PRIVATE KEY" {
		t.Errorf("key.pem is not a PKCS #8 PRIVATE KEY block")
	}
	for path, want := range map[string]fs.FileMode{keyPath: 0o600, certPath: 0o644, dir: 0o700 | fs.ModeDir} {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := info.Mode() & (fs.ModePerm | fs.ModeDir); got != want {
			t.Errorf("%s: mode %v, want %v", path, got, want)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("%s holds %d files, want cert.pem and key.pem only", dir, len(entries))
	}

	for _, want := range []string{
		certPath, keyPath, "localhost", "127.0.0.1", "::1", "airbridge.test", "10.1.2.3",
		cert.NotAfter.UTC().Format("2006-01-02"),
		certFingerprint(cert),
		"self-signed",
		"airbridge serve --tls-cert " + certPath + " --tls-key " + keyPath + "\n",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout)
		}
	}
	if fp := certFingerprint(cert); len(fp) != 32*3-1 || strings.Count(fp, ":") != 31 {
		t.Errorf("fingerprint %q is not 32 colon-separated hex pairs", fp)
	}
}

func TestCertsDevRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	if _, stderr, err := certsCmd(t, "dev", "--dir", dir); err != nil {
		t.Fatalf("certs dev: %v\n%s", err, stderr)
	}
	keyPath := filepath.Join(dir, "key.pem")
	certPath := filepath.Join(dir, "cert.pem")
	oldKey, _ := os.ReadFile(keyPath)
	oldCert, _ := os.ReadFile(certPath)

	_, _, err := certsCmd(t, "dev", "--dir", dir)
	if err == nil || !errors.Is(err, fs.ErrExist) || !strings.Contains(err.Error(), keyPath) {
		t.Fatalf("second certs dev: %v, want an error naming %s", err, keyPath)
	}
	if key, _ := os.ReadFile(keyPath); !bytes.Equal(key, oldKey) {
		t.Error("refused run changed key.pem")
	}

	// Only the certificate is there: the error names it.
	os.Remove(keyPath)
	if _, _, _, err := writeDevCert(dir, nil, 30, false, time.Now()); err == nil || !strings.Contains(err.Error(), certPath) {
		t.Fatalf("writeDevCert over cert.pem: %v, want an error naming %s", err, certPath)
	}
	if _, err := os.Stat(keyPath); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("refused run wrote key.pem: %v", err)
	}
	if err := os.WriteFile(keyPath, oldKey, 0o600); err != nil {
		t.Fatal(err)
	}

	if _, stderr, err := certsCmd(t, "dev", "--dir", dir, "--force"); err != nil {
		t.Fatalf("certs dev --force: %v\n%s", err, stderr)
	}
	newKey, _ := os.ReadFile(keyPath)
	newCert, _ := os.ReadFile(certPath)
	if bytes.Equal(newKey, oldKey) || bytes.Equal(newCert, oldCert) {
		t.Error("--force did not replace the pair")
	}
	if _, err := tls.LoadX509KeyPair(certPath, keyPath); err != nil {
		t.Errorf("pair after --force: %v", err)
	}
	if info, err := os.Stat(keyPath); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("key.pem after --force: %v, %v", info.Mode(), err)
	}
}

func TestCertsDevBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // in stderr
	}{
		{[]string{"--days", "0"}, "--days"},
		{[]string{"--days", "826"}, "826"},
		{[]string{"--days", "-3"}, "-3"},
		{[]string{"--days", "many"}, "many"},
		{[]string{"--host", "bad_name.test"}, "bad_name.test"},
		{[]string{"--host", "-lead.test"}, "-lead.test"},
		{[]string{"--host", "trail-.test"}, "trail-.test"},
		{[]string{"--host", "a..b"}, "a..b"},
		{[]string{"--host", ""}, `""`},
		{[]string{"--host", strings.Repeat("a", 64) + ".test"}, "aaaa"},
		{[]string{"--host", strings.Repeat("abcdefghi.", 26) + "test"}, "253"},
		{[]string{"--host", "10.0.0"}, "10.0.0"},
		{[]string{"--host", "fe80::1%eth0"}, "fe80::1%eth0"},
		{[]string{"--host", "ok.test", "--host", "not ok"}, "not ok"},
	} {
		dir := t.TempDir()
		args := append([]string{"dev", "--dir", dir}, tc.args...)
		stdout, stderr, err := certsCmd(t, args...)
		if err != exitError(2) {
			t.Errorf("certs %q: %v, want exit status 2", args, err)
		}
		if !strings.Contains(stderr, tc.want) {
			t.Errorf("certs %q: stderr lacks %q:\n%s", args, tc.want, stderr)
		}
		if stdout != "" {
			t.Errorf("certs %q: stdout %q", args, stdout)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("certs %q wrote %d files", args, len(entries))
		}
	}

	// writeDevCert checks on its own too.
	for _, tc := range []struct {
		hosts []string
		days  int
	}{
		{[]string{"under_score"}, 30},
		{nil, 0},
		{nil, 826},
	} {
		if _, _, _, err := writeDevCert(t.TempDir(), tc.hosts, tc.days, false, time.Now()); err == nil {
			t.Errorf("writeDevCert(%q, %d) succeeded", tc.hosts, tc.days)
		}
	}
}

func TestCertsUsage(t *testing.T) {
	for _, args := range [][]string{nil, {"prod"}, {"--dir", "x"}} {
		stdout, stderr, err := certsCmd(t, args...)
		if err != exitError(2) || stdout != "" || !strings.Contains(stderr, "Usage: airbridge certs dev") {
			t.Errorf("certs %q: %v, stdout %q, stderr %q", args, err, stdout, stderr)
		}
	}
	for _, args := range [][]string{{"--help"}, {"dev", "--help"}, {"dev", "-h"}} {
		stdout, stderr, err := certsCmd(t, args...)
		if !errors.Is(err, errHelp) || stderr != "" || !strings.Contains(stdout, "Usage: airbridge certs dev") {
			t.Errorf("certs %q: %v, stdout %q, stderr %q", args, err, stdout, stderr)
		}
	}
	if stdout, _, _ := certsCmd(t, "dev", "--help"); !strings.Contains(stdout, "-force") {
		t.Errorf("certs dev --help does not list the flags:\n%s", stdout)
	}
	_, stderr, err := certsCmd(t, "dev", "extra")
	if err != exitError(2) || !strings.Contains(stderr, "extra") {
		t.Errorf("certs dev extra: %v, stderr %q", err, stderr)
	}
}

// TestCertsDevHandshake serves TLS with a generated pair and connects with
// clients that trust only that certificate.
func TestCertsDevHandshake(t *testing.T) {
	dir := t.TempDir()
	certPath, keyPath, cert, err := writeDevCert(dir, []string{"airbridge.test"}, 1, false, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello over tls")
	}))
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener.Close()
	srv.Listener = l
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	srv.StartTLS()
	defer srv.Close()
	addr := srv.Listener.Addr().String()

	roots := x509.NewCertPool()
	roots.AddCert(cert)
	dial := func(serverName string) error {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		defer cancel()
		d := &tls.Dialer{Config: &tls.Config{RootCAs: roots, ServerName: serverName}}
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return err
		}
		tc := conn.(*tls.Conn)
		if got := tc.ConnectionState().PeerCertificates[0]; !got.Equal(cert) {
			t.Errorf("server presented another certificate")
		}
		return conn.Close()
	}
	for _, name := range []string{"localhost", "airbridge.test", "127.0.0.1"} {
		if err := dial(name); err != nil {
			t.Errorf("handshake as %q: %v", name, err)
		}
	}
	err = dial("evil.example")
	var hostErr x509.HostnameError
	if !errors.As(err, &hostErr) {
		t.Errorf("handshake as evil.example: %v, want a hostname error", err)
	}
	// A client that trusts nothing refuses it.
	d := &tls.Dialer{Config: &tls.Config{RootCAs: x509.NewCertPool(), ServerName: "localhost"}}
	if conn, err := d.DialContext(t.Context(), "tcp", addr); err == nil {
		conn.Close()
		t.Error("handshake succeeded with no trusted roots")
	}

	// And a whole request over HTTPS.
	client := &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: "localhost"}},
	}
	defer client.CloseIdleConnections()
	resp, err := client.Get("https://" + addr + "/")
	if err != nil {
		t.Fatalf("GET over TLS: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello over tls" {
		t.Errorf("body %q", body)
	}
}
