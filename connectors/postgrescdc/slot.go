package postgrescdc

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ferryhq/ferry/connectors"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Sentinels for the replication set-up; each message says what to do.
var (
	// ErrSlot: the replication slot is in use by another consumer or not usable.
	ErrSlot = errors.New("postgres cdc replication slot")
	// ErrPublication: the publication is missing or was dropped.
	ErrPublication = errors.New("postgres cdc publication")
	// ErrAuth: the database refused the credentials.
	ErrAuth = errors.New("postgres cdc credentials")
)

// connString is the libpq connection string of the config; replication
// adds replication=database. Sessions run in UTC with ISO dates, so the text
// values of temporal types parse one way.
func (c *Config) connString(replication bool) string {
	q := func(s string) string { return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'" }
	s := fmt.Sprintf("host=%s port=%d user=%s password=%s dbname=%s sslmode=%s timezone=UTC datestyle=ISO application_name=ferry",
		q(c.Hostname), c.Port, q(c.User), q(c.Password), q(c.DBName), c.SSLMode) + c.sslParams(q)
	if replication {
		s += " replication=database"
	}
	return s
}

// describeConnect turns a connection failure into ErrAuth or a message
// naming the server.
func (c *Config) describeConnect(err error) error {
	if tlsErr := c.describeTLS(err); tlsErr != nil {
		return tlsErr
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (pe.Code == "28P01" || pe.Code == "28000") || strings.Contains(err.Error(), "password authentication failed") {
		return fmt.Errorf("%w: %s@%s:%d/%s: %v; check database.user and database.password", ErrAuth, c.User, c.Hostname, c.Port, c.DBName, err)
	}
	return connectors.Retriable(fmt.Errorf("connecting to %s:%d/%s: %w; check database.hostname, database.port and that PostgreSQL is running", c.Hostname, c.Port, c.DBName, err))
}

// ensurePublication creates or checks the publication per publication.autocreate.mode.
func ensurePublication(ctx context.Context, conn *pgx.Conn, cfg *Config, tables []*table) error {
	var all bool
	err := conn.QueryRow(ctx, "SELECT puballtables FROM pg_publication WHERE pubname = $1", cfg.Publication).Scan(&all)
	exists := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%w: reading publication %q: %v", ErrPublication, cfg.Publication, err)
	}
	name := pgx.Identifier{cfg.Publication}.Sanitize()
	list := make([]string, len(tables))
	for i, t := range tables {
		list[i] = pgx.Identifier{t.schema, t.name}.Sanitize()
	}
	if schema, table, ok := strings.Cut(cfg.SignalCollection, "."); ok && len(list) > 0 {
		// The signalling table's inserts must reach the stream.
		if sig := (pgx.Identifier{schema, table}).Sanitize(); !slices.Contains(list, sig) {
			list = append(list, sig)
		}
	}
	var stmt string
	switch {
	case cfg.PubAutocreate == PubDisabled && !exists:
		return fmt.Errorf("%w: publication %q does not exist and publication.autocreate.mode=disabled; create it (CREATE PUBLICATION %s FOR TABLE ...) or set publication.autocreate.mode=all_tables or filtered",
			ErrPublication, cfg.Publication, name)
	case exists && cfg.PubAutocreate == PubFiltered && !all && len(list) > 0:
		stmt = "ALTER PUBLICATION " + name + " SET TABLE " + strings.Join(list, ", ")
	case exists:
		return nil
	case cfg.PubAutocreate == PubAllTables:
		stmt = "CREATE PUBLICATION " + name + " FOR ALL TABLES"
	case cfg.PubAutocreate == PubFiltered && len(list) > 0:
		stmt = "CREATE PUBLICATION " + name + " FOR TABLE " + strings.Join(list, ", ")
	case cfg.PubAutocreate == PubFiltered:
		return fmt.Errorf("%w: publication.autocreate.mode=filtered but no table matches table.include.list; create the tables or fix the list", ErrPublication)
	default:
		stmt = "CREATE PUBLICATION " + name
	}
	if _, err := conn.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("%w: %s: %v; grant the user CREATE on the database or create the publication yourself", ErrPublication, stmt, err)
	}
	return nil
}

// ensureSlot creates the slot when missing and returns its confirmed flush
// LSN. A slot another consumer is streaming from, or one of another plugin
// or database, fails with ErrSlot.
func ensureSlot(ctx context.Context, conn *pgx.Conn, cfg *Config) (uint64, error) {
	var plugin, db string
	var flush *string
	var pid *int32
	var err error
	// The previous invocation's walsender may still be exiting: give it
	// slotRelease before calling the slot in use.
	for deadline := time.Now().Add(slotRelease); ; {
		err = conn.QueryRow(ctx, `SELECT plugin, database, confirmed_flush_lsn::text, active_pid FROM pg_replication_slots WHERE slot_name = $1`,
			cfg.SlotName).Scan(&plugin, &db, &flush, &pid)
		if err != nil || pid == nil || time.Now().After(deadline) {
			break
		}
		select {
		case <-ctx.Done():
			return 0, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	if errors.Is(err, pgx.ErrNoRows) {
		var lsn string
		if err := conn.QueryRow(ctx, "SELECT lsn::text FROM pg_create_logical_replication_slot($1, 'pgoutput')", cfg.SlotName).Scan(&lsn); err != nil {
			return 0, fmt.Errorf("%w: creating slot %q: %v; the user needs the REPLICATION attribute and max_replication_slots must allow one more", ErrSlot, cfg.SlotName, err)
		}
		return parseLSN(lsn)
	}
	if err != nil {
		return 0, fmt.Errorf("%w: reading slot %q: %v", ErrSlot, cfg.SlotName, err)
	}
	switch {
	case plugin != "pgoutput" || db != cfg.DBName:
		return 0, fmt.Errorf("%w: slot %q belongs to plugin %s on database %s; set slot.name to a slot of its own", ErrSlot, cfg.SlotName, plugin, db)
	case pid != nil:
		return 0, slotInUse(cfg.SlotName, fmt.Sprint(*pid))
	case flush == nil:
		return 0, nil
	}
	return parseLSN(*flush)
}

// slotRelease is how long Open waits for an active slot to be released.
const slotRelease = 2 * time.Second

func slotInUse(slot, pid string) error {
	return fmt.Errorf("%w: replication slot %q is in use by another consumer (pid %s); stop that consumer or give this connector its own slot.name", ErrSlot, slot, pid)
}

// describeStream maps errors of the replication stream to what to do.
func (c *Config) describeStream(err error) error {
	var pe *pgconn.PgError
	if !errors.As(err, &pe) { // the connection broke: retry
		return connectors.Retriable(fmt.Errorf("replication stream of slot %q: %w", c.SlotName, err))
	}
	switch {
	case pe.Code == "55006":
		return slotInUse(c.SlotName, "?")
	case strings.Contains(pe.Message, "publication") && strings.Contains(pe.Message, "does not exist"):
		return fmt.Errorf("%w: %s (slot %q): the publication was dropped; re-create it (CREATE PUBLICATION %s ...) or set publication.autocreate.mode=all_tables or filtered; if the error persists, the changes made while it was missing cannot be decoded: drop slot %q, reset the connector's offsets and snapshot again",
			ErrPublication, pe.Message, c.SlotName, pgx.Identifier{c.Publication}.Sanitize(), c.SlotName)
	case pe.Code == "42704":
		return fmt.Errorf("%w: %s; the slot is gone: reset the connector's offsets to snapshot again, or re-create slot %q", ErrSlot, pe.Message, c.SlotName)
	}
	return fmt.Errorf("replication stream of slot %q: %w", c.SlotName, err)
}

// parseLSN reads "X/Y".
func parseLSN(s string) (uint64, error) {
	var hi, lo uint32
	if _, err := fmt.Sscanf(s, "%X/%X", &hi, &lo); err != nil {
		return 0, fmt.Errorf("LSN %q: %w", s, err)
	}
	return uint64(hi)<<32 | uint64(lo), nil
}
