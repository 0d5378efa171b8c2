package main

import (
	"context"
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
	fs := env.flags("serve", "serve [--addr HOST:PORT] [--db FILE] [--log-level LEVEL]")
	addr := fs.String("addr", envOr(env.getenv, "AIRBRIDGE_ADDR", "127.0.0.1:8080"), "address to listen on (env AIRBRIDGE_ADDR)")
	path := fs.String("db", envOr(env.getenv, "AIRBRIDGE_DB", "airbridge.db"), "database file, created if missing (env AIRBRIDGE_DB)")
	level := env.logLevel(fs)
	if err := env.parse(fs, args); err != nil {
		return err
	}
	db, err := sqlite.Open(env.ctx, *path)
	if err != nil {
		return err
	}
	defer db.Close()
	return env.listenAndServe(db, *addr, *level, func(url string) {
		fmt.Fprintf(env.stdout, "airbridge %s serving %s on %s\n", version, *path, url)
	})
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

// listenAndServe serves db on addr until the context ends, then shuts down
// gracefully. ready is called with the server's URL once it accepts requests.
func (env *environment) listenAndServe(db *sqlite.DB, addr string, level slog.Level, ready func(url string)) error {
	return serveOn(env.ctx, db, addr, env.logger(level), ready)
}

// serveInProcess serves db on a free loopback port in the background, logging
// as serve does by default, for the benchmarks. It returns the URL once the
// server accepts requests and a channel that gets serveOn's result when ctx
// ends.
func serveInProcess(ctx context.Context, db *sqlite.DB) (string, <-chan error, error) {
	urlc := make(chan string, 1)
	served := make(chan error, 1)
	log := slog.New(slog.NewJSONHandler(io.Discard, nil))
	go func() { served <- serveOn(ctx, db, "127.0.0.1:0", log, func(u string) { urlc <- u }) }()
	select {
	case url := <-urlc:
		return url, served, nil
	case err := <-served:
		return "", nil, err
	}
}

func serveOn(ctx context.Context, db *sqlite.DB, addr string, log *slog.Logger, ready func(url string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           server.New(db, log, version),
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	ready("http://" + ln.Addr().String())
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
