//go:build integration

package mysqlcdc_test

import (
	"path/filepath"
	"testing"

	"github.com/ferryhq/ferry/connectors/mysqlcdc"
	"github.com/ferryhq/ferry/functions"
	"github.com/go-mysql-org/go-mysql/client"
)

// TestTLS: with db_tls's server certificate (what localstack/up mariadb
// serves) a private MariaDB is reached with database.ssl.mode
// verify_identity / verify-full against the test CA (both connectors, PEM
// truststore, PKCS12 keystore; its user is REQUIRE SSL); a wrong CA is FAILED naming
// database.ssl.truststore, required against a server without TLS is FAILED
// naming database.ssl.mode, preferred falls back to plaintext there.
func TestTLS(t *testing.T) {
	dir := env(t, "DB_TLS_DIR")
	tlsHost, tlsPort := privateMariaDB(t, "--ssl-ca="+filepath.Join(dir, "ca.pem"), "--ssl-cert="+filepath.Join(dir, "server.pem"),
		"--ssl-key="+filepath.Join(dir, "server.key"))
	plainHost, plainPort := privateMariaDB(t)
	// The TLS server's user may only connect over TLS: a success proves it.
	admin, err := client.Connect(tlsHost+":"+tlsPort, "cdc", "cdc", "")
	if err != nil {
		t.Fatal(err)
	}
	exec(t, admin, "ALTER USER 'cdc'@'%' REQUIRE SSL")
	admin.Close()
	for _, tc := range []struct {
		name, class, host, port string
		keys                    map[string]string
		want                    []string // nil: RUNNING
	}{
		{"MariaDbConnector verify-full", mysqlcdc.MariaDBClass, tlsHost, tlsPort,
			map[string]string{"database.ssl.mode": "verify-full", "database.ssl.truststore": filepath.Join(dir, "ca.pem")}, nil},
		{"MySqlConnector verify_identity with a client certificate", mysqlcdc.MySQLClass, tlsHost, tlsPort,
			map[string]string{"database.ssl.mode": "verify_identity", "database.ssl.truststore": filepath.Join(dir, "ca.pem"),
				"database.ssl.keystore": filepath.Join(dir, "client.p12"), "database.ssl.keystore.password": "changeit"}, nil},
		{"MySqlConnector's default (preferred) uses TLS", mysqlcdc.MySQLClass, tlsHost, tlsPort, map[string]string{}, nil},
		{"MariaDbConnector trust", mysqlcdc.MariaDBClass, tlsHost, tlsPort, map[string]string{"database.ssl.mode": "trust"}, nil},
		{"MariaDbConnector's default (disable) is plaintext", mysqlcdc.MariaDBClass, tlsHost, tlsPort, map[string]string{},
			[]string{"Access denied"}}, // the user is REQUIRE SSL
		{"wrong CA", mysqlcdc.MySQLClass, tlsHost, tlsPort,
			map[string]string{"database.ssl.mode": "verify_ca", "database.ssl.truststore": filepath.Join(dir, "other-ca.pem")},
			[]string{"does not verify against database.ssl.truststore", "other-ca.pem", "set database.ssl.truststore to the CA that signed it"}},
		{"required without TLS", mysqlcdc.MySQLClass, plainHost, plainPort,
			map[string]string{"database.ssl.mode": "required"}, []string{"database.ssl.mode=required, but the server at", "offers no TLS"}},
		{"preferred without TLS", mysqlcdc.MySQLClass, plainHost, plainPort, map[string]string{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			name := uniq("tls")
			cfg := connectorConfig(t, name, "t")
			cfg["connector.class"], cfg["snapshot.mode"] = tc.class, "no_data"
			cfg["database.hostname"], cfg["database.port"], cfg["database.user"], cfg["database.password"] = tc.host, tc.port, "cdc", "cdc"
			cfg["database.include.list"], cfg["table.include.list"] = "d", "d.t"
			for k, v := range tc.keys {
				cfg[k] = v
			}
			hs := newHarness(t, cfg)
			if tc.want != nil {
				failed(t, hs, tc.want...)
				return
			}
			if res := hs.Invoke(100); res.State != functions.StateRunning {
				t.Fatalf("%s: %s", res.State, res.Trace)
			}
		})
	}
}
