package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"golang.org/x/term"

	"airbridge/server"
	"airbridge/sqlite"
)

func (env *environment) serve(args []string) error {
	fs := env.flags("serve", "serve [--addr HOST:PORT] [--db FILE] [--key-file FILE] [--tls-cert FILE --tls-key FILE] [--rate-limit N] [--log-level LEVEL]")
	addr := fs.String("addr", envOr(env.getenv, "AIRBRIDGE_ADDR", "127.0.0.1:8080"), "address to listen on (env AIRBRIDGE_ADDR)")
	path := fs.String("db", envOr(env.getenv, "AIRBRIDGE_DB", "airbridge.db"), "database file, created if missing (env AIRBRIDGE_DB)")
	web := env.webFlags(fs)
	level := env.logLevel(fs)
	if err := env.parse(fs, args); err != nil {
		return err
	}
	key, err := env.masterKey(*web.keyFile)
	if err != nil {
		return err
	}
	opts, tlsConfig, err := web.config() // before the database is created or opened
	if err != nil {
		return err
	}
	db, err := sqlite.Open(env.ctx, *path, key)
	if err != nil {
		return err
	}
	defer db.Close()
	return serveOn(env.ctx, db, *addr, env.logger(*level), opts, tlsConfig, func(url string) {
		fmt.Fprintf(env.stdout, "airbridge %s serving %s on %s\n", version, *path, url)
	})
}

// webFlags are the flags of serving: keys, TLS and rate limits.
type webFlags struct {
	keyFile, tlsCert, tlsKey *string
	rate                     *float64
	guard                    *time.Duration
}

func (env *environment) webFlags(fs *flag.FlagSet) webFlags {
	return webFlags{
		keyFile: fs.String("key-file", env.getenv("AIRBRIDGE_KEY_FILE"), "master key file (env AIRBRIDGE_KEY_FILE; or the key itself in AIRBRIDGE_MASTER_KEY)"),
		tlsCert: fs.String("tls-cert", env.getenv("AIRBRIDGE_TLS_CERT"), "serve HTTPS with this certificate (PEM; env AIRBRIDGE_TLS_CERT)"),
		tlsKey:  fs.String("tls-key", env.getenv("AIRBRIDGE_TLS_KEY"), "the certificate's private key (PEM; env AIRBRIDGE_TLS_KEY)"),
		rate:    fs.Float64("rate-limit", server.DefaultOptions.RatePerSecond, "requests a second allowed to each token or session, bursts of twice that; 0: no limit"),
		guard: fs.Duration("load-guard-every", server.DefaultOptions.LoadGuardEvery,
			"how often the load guard looks at the flights about to depart (and within 5 s of any change); 0: only when flights close"),
	}
}

func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}

// logLevel adds the --log-level flag to fs.
func (env *environment) logLevel(fs *flag.FlagSet) *slog.Level {
	level := new(slog.Level)
	if err := level.UnmarshalText([]byte(envOr(env.getenv, "AIRBRIDGE_LOG_LEVEL", "info"))); err != nil {
		*level = slog.LevelInfo
	}
	fs.TextVar(level, "log-level", *level, "least level logged: debug (one line per request), info, warn or error (env AIRBRIDGE_LOG_LEVEL)")
	return level
}

// logger logs JSON at level, or text when stderr is a terminal.
func (env *environment) logger(level slog.Level) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if f, ok := env.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return slog.New(slog.NewTextHandler(env.stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(env.stderr, opts))
}

// config checks the serving flags and returns the server's options and TLS
// configuration (nil: plain HTTP).
func (web webFlags) config() (server.Options, *tls.Config, error) {
	if (*web.tlsCert == "") != (*web.tlsKey == "") {
		return server.Options{}, nil, errors.New("give both --tls-cert and --tls-key, or neither")
	}
	var tlsConfig *tls.Config
	if *web.tlsCert != "" {
		pair, err := tls.LoadX509KeyPair(*web.tlsCert, *web.tlsKey)
		if err != nil {
			return server.Options{}, nil, fmt.Errorf("TLS: %w", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	}
	if *web.rate < 0 {
		return server.Options{}, nil, fmt.Errorf("--rate-limit %v: must be 0 or more", *web.rate)
	}
	if *web.guard < 0 {
		return server.Options{}, nil, fmt.Errorf("--load-guard-every %v: must be 0 or more", *web.guard)
	}
	return server.Options{RatePerSecond: *web.rate, RateBurst: int(2 * *web.rate), LoadGuardEvery: *web.guard}, tlsConfig, nil
}

// serveInProcess serves db on a free loopback port in the background, logging
// as serve does by default, for the benchmarks. It returns the URL once the
// server accepts requests and a channel that gets serveOn's result when ctx
// ends.
func serveInProcess(ctx context.Context, db *sqlite.DB) (string, <-chan error, error) {
	urlc := make(chan string, 1)
	served := make(chan error, 1)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	go func() {
		served <- serveOn(ctx, db, "127.0.0.1:0", log, server.Options{}, nil, func(u string) { urlc <- u })
	}()
	select {
	case url := <-urlc:
		return url, served, nil
	case err := <-served:
		return "", nil, err
	}
}

func serveOn(ctx context.Context, db *sqlite.DB, addr string, log *slog.Logger, opts server.Options, tlsConfig *tls.Config, ready func(url string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	scheme := "http"
	if tlsConfig != nil {
		ln, scheme = tls.NewListener(ln, tlsConfig), "https"
	}
	handler := server.New(db, log, version, opts)
	if opts.LoadGuardEvery > 0 {
		go handler.RunLoadGuard(ctx, opts.LoadGuardEvery)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(handler.StopStreams) // streams do not end by themselves
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	ready(scheme + "://" + ln.Addr().String())
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
