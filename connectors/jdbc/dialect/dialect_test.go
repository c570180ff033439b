package dialect

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		in   string
		want URL
	}{
		{"jdbc:postgresql://db.example:6543/shop?user=u&password=p&sslmode=disable",
			URL{Dialect: PostgreSQL, Host: "db.example", Port: "6543", Database: "shop", User: "u", Password: "p", Params: map[string]string{"sslmode": "disable"}}},
		{"jdbc:postgresql://localhost/shop",
			URL{Dialect: PostgreSQL, Host: "localhost", Port: "5432", Database: "shop", Params: map[string]string{}}},
		{"jdbc:mysql://127.0.0.1:3306/ferry?user=ferry&password=ferry",
			URL{Dialect: MySQL, Host: "127.0.0.1", Port: "3306", Database: "ferry", User: "ferry", Password: "ferry", Params: map[string]string{}}},
		{"jdbc:mariadb://maria/app",
			URL{Dialect: MySQL, Host: "maria", Port: "3306", Database: "app", Params: map[string]string{}}},
		{"mysql://a:b@127.0.0.1:3307/x",
			URL{Dialect: MySQL, Host: "127.0.0.1", Port: "3307", Database: "x", User: "a", Password: "b", Params: map[string]string{}}},
		{"postgres://ferry:ferry@127.0.0.1:5432/ferry",
			URL{Dialect: PostgreSQL, Host: "127.0.0.1", Port: "5432", Database: "ferry", User: "ferry", Password: "ferry", Params: map[string]string{}}},
	}
	for _, tt := range tests {
		got, err := ParseURL(tt.in)
		if err != nil {
			t.Fatalf("ParseURL(%q): %v", tt.in, err)
		}
		if !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("ParseURL(%q) = %+v, want %+v", tt.in, *got, tt.want)
		}
	}
}

func TestParseURLErrors(t *testing.T) {
	for _, in := range []string{"jdbc:sqlserver://h:1433;databaseName=x", "jdbc:oracle:thin:@h:1521:x", "nonsense"} {
		_, err := ParseURL(in)
		if !errors.Is(err, ErrURL) {
			t.Errorf("ParseURL(%q) error = %v, want ErrURL", in, err)
		}
	}
	_, err := ParseURL("jdbc:db2://h/x?password=secret")
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("error must not show the password: %v", err)
	}
}

func TestQuote(t *testing.T) {
	tests := []struct {
		d    *Dialect
		id   TableID
		q    Quoting
		want string
	}{
		{PostgreSQL, TableID{Schema: "public", Name: `we"ird`}, QuoteAlways, `"public"."we""ird"`},
		{PostgreSQL, TableID{Name: "orders"}, QuoteNever, `orders`},
		{MySQL, TableID{Catalog: "shop", Name: "or`ders"}, QuoteAlways, "`shop`.`or``ders`"},
	}
	for _, tt := range tests {
		if got := tt.d.QuoteTable(tt.id, tt.q); got != tt.want {
			t.Errorf("%s.QuoteTable(%v) = %s, want %s", tt.d.Name, tt.id, got, tt.want)
		}
	}
	if PostgreSQL.Placeholder(3) != "$3" || MySQL.Placeholder(3) != "?" {
		t.Error("placeholders")
	}
	if got := PostgreSQL.ParseTableID(`"s"."t"`); got != (TableID{Schema: "s", Name: "t"}) {
		t.Errorf("ParseTableID = %+v", got)
	}
}
