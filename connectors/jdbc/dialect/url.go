// Package dialect is what ferry's JDBC-style connectors share about the
// databases they talk to: reading Confluent's connection.url in its jdbc:
// form (PostgreSQL, MySQL, MariaDB), opening a database/sql pool with a
// maintained Go driver (pgx for PostgreSQL, go-sql-driver/mysql for MySQL and
// MariaDB), and each database's identifier quoting and placeholders.
//
// Both the JDBC source (connectors/jdbc) and the JDBC sink import it.
package dialect

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ErrURL is wrapped by every connection.url that cannot be used: the caller
// must fix connection.url.
var ErrURL = errors.New("unsupported connection.url")

// URL is a parsed jdbc: connection URL.
type URL struct {
	// Dialect is the database kind the URL names.
	Dialect *Dialect
	// Host and Port locate the server; Port is the dialect's default when absent.
	Host string
	Port string
	// Database is the database (catalog) name; may be empty.
	Database string
	// User and Password come from the URL's properties (user=, password=),
	// or from connection.user / connection.password (see WithCredentials).
	User     string
	Password string
	// Params are the URL's other properties (sslmode=, ...), verbatim.
	Params map[string]string
}

// ParseURL reads a JDBC URL as Confluent's connector accepts it:
//
//	jdbc:postgresql://host[:port]/db[?user=u&password=p&...]
//	jdbc:mysql://host[:port]/db[?...]      jdbc:mariadb://host[:port]/db[?...]
//
// Plain postgres://, postgresql:// and mysql://user:pass@host/db URLs are
// accepted too (ferry's extension), so the localstack's URLs work as they are.
func ParseURL(raw string) (*URL, error) {
	s := strings.TrimPrefix(strings.TrimSpace(raw), "jdbc:")
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return nil, fmt.Errorf("%w: %q is not jdbc:<subprotocol>://host[:port]/database; use jdbc:postgresql://, jdbc:mysql:// or jdbc:mariadb://", ErrURL, redact(raw))
	}
	d := ByScheme(scheme)
	if d == nil {
		return nil, fmt.Errorf("%w: subprotocol %q in %q; ferry supports postgresql, mysql and mariadb", ErrURL, scheme, redact(raw))
	}
	u, err := url.Parse("x://" + rest)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrURL, redact(raw), err)
	}
	out := &URL{Dialect: d, Host: u.Hostname(), Port: u.Port(), Database: strings.TrimPrefix(u.Path, "/"), Params: map[string]string{}}
	if out.Host == "" {
		out.Host = "localhost"
	}
	if out.Port == "" {
		out.Port = d.DefaultPort
	}
	if u.User != nil {
		out.User = u.User.Username()
		out.Password, _ = u.User.Password()
	}
	for k, v := range u.Query() {
		val := v[len(v)-1]
		switch k {
		case "user":
			out.User = val
		case "password":
			out.Password = val
		default:
			out.Params[k] = val
		}
	}
	return out, nil
}

// WithCredentials applies connection.user and connection.password, which
// win over the URL's own when set (as in Confluent's connector).
func (u *URL) WithCredentials(user, password string) *URL {
	c := *u
	if user != "" {
		c.User = user
	}
	if password != "" {
		c.Password = password
	}
	return &c
}

// Addr is host:port.
func (u *URL) Addr() string { return net.JoinHostPort(u.Host, u.Port) }

// String is the URL without its password, for messages.
func (u *URL) String() string {
	return fmt.Sprintf("jdbc:%s://%s/%s", u.Dialect.Scheme, u.Addr(), u.Database)
}

// redact hides password= values and user:password@ in a raw URL.
func redact(raw string) string {
	if i := strings.Index(raw, "password="); i >= 0 {
		j := strings.IndexAny(raw[i:], "&;")
		if j < 0 {
			return raw[:i] + "password=****"
		}
		return raw[:i] + "password=****" + raw[i+j:]
	}
	if at := strings.Index(raw, "@"); at >= 0 {
		if sl := strings.Index(raw, "://"); sl >= 0 && sl < at {
			if c := strings.Index(raw[sl+3:at], ":"); c >= 0 {
				return raw[:sl+3+c] + ":****" + raw[at:]
			}
		}
	}
	return raw
}
