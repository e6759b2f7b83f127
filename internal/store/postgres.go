package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// PostgreSQL pool settings: a node needs few connections, and a cluster of
// nodes shares the server's connection limit.
const (
	pgMaxOpen     = 8
	pgMaxIdle     = 2
	pgMaxIdleTime = 5 * time.Minute
)

func openPostgres(ctx context.Context, dsn string, log *slog.Logger) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		// pgx redacts passwords in parse errors only on a best-effort
		// basis, and the URL may hold one: drop the detail.
		return nil, errors.New("open postgres: invalid database URL")
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(pgMaxOpen)
	db.SetMaxIdleConns(pgMaxIdle)
	db.SetConnMaxIdleTime(pgMaxIdleTime)
	if err := db.PingContext(ctx); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open postgres %s: %w", where(cfg), err)
	}
	log.Info("store opened", "dialect", DialectPostgres, "server", where(cfg))
	return newDB(DialectPostgres, db, db, log), nil
}

// where names the server and database for logs and errors, without the
// password.
func where(cfg *pgx.ConnConfig) string {
	return fmt.Sprintf("%s@%s:%d/%s", cfg.User, cfg.Host, cfg.Port, cfg.Database)
}
