package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

const certsUsage = `Usage: airbridge certs dev [--dir DIR] [--host NAME ...] [--days N] [--force]

Subcommands:
  dev   write a self-signed development certificate and key for
        "airbridge serve --tls-cert/--tls-key"

Run "airbridge certs dev --help" for its flags.
`

// Limits on --days: at least a day, at most the 825 days that browsers and
// operating systems accept for a TLS server certificate.
const (
	devCertDefaultDays = 30
	devCertMaxDays     = 825
)

// devCertDefaultHosts are the names every development certificate holds.
var devCertDefaultHosts = []string{"localhost", "127.0.0.1", "::1"}

func (env *environment) certs(args []string) error {
	if len(args) == 0 {
		fmt.Fprintf(env.stderr, "airbridge certs: a subcommand is required\n\n%s", certsUsage)
		return exitError(2)
	}
	switch args[0] {
	case "dev":
		return env.certsDev(args[1:])
	case "help", "-h", "-help", "--help":
		fmt.Fprint(env.stdout, certsUsage)
		return errHelp
	}
	if strings.HasPrefix(args[0], "-") {
		fmt.Fprintf(env.stderr, "airbridge certs: flag %s before the subcommand\n\n%s", args[0], certsUsage)
	} else {
		fmt.Fprintf(env.stderr, "airbridge certs: unknown subcommand %q\n\n%s", args[0], certsUsage)
	}
	return exitError(2)
}

func (env *environment) certsDev(args []string) error {
	fset := env.flags("certs dev", "certs dev [--dir DIR] [--host NAME ...] [--days N] [--force]")
	dir := fset.String("dir", ".", "write cert.pem and key.pem to `DIR`, created if missing")
	var hosts hostList
	fset.Var(&hosts, "host", "extra DNS name or IP address `NAME` for the certificate, repeatable\n(localhost, 127.0.0.1 and ::1 are always included)")
	days := fset.Int("days", devCertDefaultDays, fmt.Sprintf("the certificate is valid for `N` days, 1 to %d", devCertMaxDays))
	force := fset.Bool("force", false, "replace an existing cert.pem and key.pem")
	if err := env.parse(fset, args); err != nil {
		return err
	}
	if err := checkDevCertDays(*days); err != nil {
		fmt.Fprintf(env.stderr, "airbridge certs dev: %v\n", err)
		return exitError(2)
	}
	if _, _, err := devCertNames(hosts); err != nil {
		fmt.Fprintf(env.stderr, "airbridge certs dev: %v\n", err)
		return exitError(2)
	}
	certPath, keyPath, cert, err := writeDevCert(*dir, hosts, *days, *force, time.Now())
	if err != nil {
		return fmt.Errorf("certs dev: %w", err)
	}

	names := append([]string(nil), cert.DNSNames...)
	for _, ip := range cert.IPAddresses {
		names = append(names, ip.String())
	}
	w := env.stdout
	fmt.Fprintf(w, "certificate: %s\n", certPath)
	fmt.Fprintf(w, "private key: %s (mode 0600)\n", keyPath)
	fmt.Fprintf(w, "names:       %s\n", strings.Join(names, ", "))
	fmt.Fprintf(w, "expires:     %s (%d days)\n", cert.NotAfter.UTC().Format("2006-01-02 15:04:05 MST"), *days)
	fmt.Fprintf(w, "sha-256:     %s\n", certFingerprint(cert))
	fmt.Fprintln(w, "warning: this certificate is self-signed and for development only; clients must be told to trust it")
	fmt.Fprintf(w, "airbridge serve --tls-cert %s --tls-key %s\n", shellQuote(certPath), shellQuote(keyPath))
	return nil
}

// hostList is the repeatable --host flag.
type hostList []string

func (h *hostList) String() string { return strings.Join(*h, ",") }

func (h *hostList) Set(v string) error {
	*h = append(*h, v)
	return nil
}

func checkDevCertDays(days int) error {
	if days < 1 || days > devCertMaxDays {
		return fmt.Errorf("--days must be between 1 and %d, not %d", devCertMaxDays, days)
	}
	return nil
}

// devCertNames returns the subject alternative names of a development
// certificate: the defaults, then every host in order, without duplicates.
func devCertNames(hosts []string) (dnsNames []string, ips []net.IP, err error) {
	seen := make(map[string]bool)
	for _, h := range append(append([]string(nil), devCertDefaultHosts...), hosts...) {
		if ip := net.ParseIP(h); ip != nil {
			if v4 := ip.To4(); v4 != nil {
				ip = v4
			}
			if key := "ip:" + ip.String(); !seen[key] {
				seen[key] = true
				ips = append(ips, ip)
			}
			continue
		}
		if err := checkDNSName(h); err != nil {
			return nil, nil, fmt.Errorf("--host %q: %w", h, err)
		}
		name := strings.ToLower(h)
		if key := "dns:" + name; !seen[key] {
			seen[key] = true
			dnsNames = append(dnsNames, name)
		}
	}
	return dnsNames, ips, nil
}

// checkDNSName reports whether name is a DNS host name a certificate may
// hold: 1 to 253 characters, dot-separated labels of 1 to 63 letters, digits
// and hyphens that neither start nor end with a hyphen.
func checkDNSName(name string) error {
	switch {
	case name == "":
		return errors.New("empty host name")
	case len(name) > 253:
		return fmt.Errorf("host name is %d characters long, more than 253", len(name))
	}
	labels := strings.Split(name, ".")
	for _, label := range labels {
		if label == "" {
			return errors.New("not an IP address, and a DNS name has no empty labels (leading, trailing or double dot)")
		}
		if len(label) > 63 {
			return fmt.Errorf("not an IP address, and DNS label %.20q… is %d characters long, more than 63", label, len(label))
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("not an IP address, and DNS label %q starts or ends with a hyphen", label)
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return fmt.Errorf("not an IP address, and DNS label %q holds %q: only letters, digits and hyphens are allowed", label, rune(c))
			}
		}
	}
	if last := labels[len(labels)-1]; strings.Trim(last, "0123456789") == "" {
		// "10.0.0" or "1.2.3.4.5": a mistyped address, not a name.
		return errors.New("neither an IP address nor a DNS name (its last label is all digits)")
	}
	return nil
}

// writeDevCert generates a self-signed ECDSA P-256 certificate for the
// default names and hosts, valid from an hour before now for days days, and
// writes it to dir/cert.pem (mode 0644) and its PKCS #8 key to dir/key.pem
// (mode 0600). dir is created (mode 0700) if missing. It refuses to replace
// either file unless force is set. Each file is written to a temporary file
// in dir and renamed into place, the key first, so that neither is ever left
// half written.
func writeDevCert(dir string, hosts []string, days int, force bool, now time.Time) (certPath, keyPath string, cert *x509.Certificate, err error) {
	if err := checkDevCertDays(days); err != nil {
		return "", "", nil, err
	}
	dnsNames, ips, err := devCertNames(hosts)
	if err != nil {
		return "", "", nil, err
	}
	if dir == "" {
		dir = "."
	}
	certPath = filepath.Join(dir, "cert.pem")
	keyPath = filepath.Join(dir, "key.pem")
	if !force {
		for _, p := range []string{keyPath, certPath} {
			if _, err := os.Lstat(p); err == nil {
				return "", "", nil, fmt.Errorf("%w: %s (use --force to replace it)", fs.ErrExist, p)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return "", "", nil, err
			}
		}
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", "", nil, fmt.Errorf("generate key: %w", err)
	}
	serial := new(big.Int)
	for serial.Sign() == 0 { // x509 rejects a zero serial number
		if serial, err = rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 128)); err != nil {
			return "", "", nil, fmt.Errorf("generate serial number: %w", err)
		}
	}
	template := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "airbridge development"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(time.Duration(days) * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  false,
		DNSNames:              dnsNames,
		IPAddresses:           ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		return "", "", nil, fmt.Errorf("create certificate: %w", err)
	}
	cert, err = x509.ParseCertificate(der)
	if err != nil {
		return "", "", nil, fmt.Errorf("parse the new certificate: %w", err)
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", "", nil, fmt.Errorf("encode key: %w", err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})

	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", "", nil, err
	}
	// Write both temporary files before renaming either, so that a failure
	// leaves the old pair, if any, untouched.
	keyTmp, err := writeTemp(dir, ".key-*.pem.tmp", keyPEM, 0o600)
	if err != nil {
		return "", "", nil, fmt.Errorf("write key: %w", err)
	}
	defer os.Remove(keyTmp) // fails harmlessly once renamed
	certTmp, err := writeTemp(dir, ".cert-*.pem.tmp", certPEM, 0o644)
	if err != nil {
		return "", "", nil, fmt.Errorf("write certificate: %w", err)
	}
	defer os.Remove(certTmp)
	if err := os.Rename(keyTmp, keyPath); err != nil {
		return "", "", nil, fmt.Errorf("write key: %w", err)
	}
	if err := os.Rename(certTmp, certPath); err != nil {
		return "", "", nil, fmt.Errorf("write certificate: %w", err)
	}
	syncDir(dir)
	return certPath, keyPath, cert, nil
}

// writeTemp writes data to a new temporary file in dir with mode perm,
// flushed to disk, and returns its name.
func writeTemp(dir, pattern string, data []byte, perm os.FileMode) (name string, err error) {
	f, err := os.CreateTemp(dir, pattern) // mode 0600 from the start
	if err != nil {
		return "", err
	}
	name = f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(name)
		}
	}()
	if err := f.Chmod(perm); err != nil {
		return "", err
	}
	if _, err := f.Write(data); err != nil {
		return "", err
	}
	if err := f.Sync(); err != nil {
		return "", err
	}
	return name, f.Close()
}

// syncDir flushes dir's entries so that the renames survive a crash; not
// every system can, and the files are written either way.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// certFingerprint is the SHA-256 of the certificate's DER in upper-case hex
// pairs separated by colons, as browsers and openssl show it.
func certFingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	var b strings.Builder
	for i, c := range sum {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", c)
	}
	return b.String()
}

// shellQuote quotes s for a POSIX shell when it holds anything but the
// characters that need no quoting.
func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=+@%,") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
