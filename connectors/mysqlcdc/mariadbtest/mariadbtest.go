// Package mariadbtest starts private MariaDB servers for integration tests
// and benchmarks that change a server's global settings or its version
// (the shared stack's server must stay as it is).
package mariadbtest

import (
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// Start starts a MariaDB of its own on a free port of 127.0.0.1, with the
// binlog on in ROW format, a user cdc (password cdc) holding every
// privilege, the statements of init run as root, and extra mariadbd options
// (a later option overrides an earlier one); it is stopped when tb ends.
// `localstack/up mariadb` installs the server.
func Start(tb testing.TB, init string, extra ...string) (host, port string) {
	tb.Helper()
	dir := tb.TempDir()
	data := filepath.Join(dir, "data")
	me, _ := user.Current()
	install := exec.Command("mariadb-install-db", "--no-defaults", "--datadir="+data, "--user="+me.Username,
		"--auth-root-authentication-method=socket", "--auth-root-socket-user="+me.Username, "--skip-test-db")
	if out, err := install.CombinedOutput(); err != nil {
		tb.Fatalf("mariadb-install-db (localstack/up mariadb installs it): %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	port = strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	sock := filepath.Join(dir, "s.sock")
	srv := exec.Command("mariadbd", "--no-defaults", "--datadir="+data, "--user="+me.Username, "--bind-address=127.0.0.1",
		"--port="+port, "--socket="+sock, "--log-bin=pb", "--binlog-format=ROW", "--server-id=7",
		"--innodb-buffer-pool-size=16M", "--log-error="+filepath.Join(dir, "err.log"))
	srv.Args = append(srv.Args, extra...)
	if err := srv.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { srv.Process.Kill(); srv.Wait() })
	setup := "CREATE USER 'cdc'@'%' IDENTIFIED BY 'cdc'; GRANT ALL PRIVILEGES ON *.* TO 'cdc'@'%'; " + init
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		out, err := exec.Command("mariadb", "--no-defaults", "--socket="+sock, "-u"+me.Username, "-e", setup).CombinedOutput()
		if err == nil {
			return "127.0.0.1", port
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "err.log"))
			tb.Fatalf("private MariaDB not ready: %v %s\n%s", err, out, log)
		}
	}
}
