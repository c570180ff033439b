package connectors

import (
	"bytes"
	"errors"
	"math/big"
	"testing"
	"time"
)

// TestDecimalBytes checks the encoding against java.math.BigInteger.toByteArray
// (minimal big-endian two's complement).
func TestDecimalBytes(t *testing.T) {
	cases := []struct {
		u    string
		want []byte
	}{
		{"0", []byte{0}}, {"1", []byte{1}}, {"127", []byte{0x7F}}, {"128", []byte{0, 0x80}},
		{"156", []byte{0, 0x9C}}, {"-1", []byte{0xFF}}, {"-128", []byte{0x80}}, {"-129", []byte{0xFF, 0x7F}},
		{"-156", []byte{0xFF, 0x64}}, {"-32768", []byte{0x80, 0}}, {"-32769", []byte{0xFF, 0x7F, 0xFF}},
		{"-256", []byte{0xFF, 0}},
	}
	for _, tc := range cases {
		u, _ := new(big.Int).SetString(tc.u, 10)
		got := DecimalToBytes(Decimal{Unscaled: u, Scale: 3})
		if !bytes.Equal(got, tc.want) {
			t.Errorf("DecimalToBytes(%s) = % X, want % X", tc.u, got, tc.want)
		}
		back := DecimalFromBytes(got, 3)
		if back.Unscaled.Cmp(u) != 0 || back.Scale != 3 {
			t.Errorf("DecimalFromBytes(% X) = %v", got, back.Unscaled)
		}
	}
	if got := DecimalToBytes(Decimal{}); !bytes.Equal(got, []byte{0}) {
		t.Errorf("nil unscaled = % X", got)
	}
}

func TestDecimalScale(t *testing.T) {
	if s, err := DecimalScale(DecimalSchema(4).MustBuild()); s != 4 || err != nil {
		t.Errorf("scale = %d, %v", s, err)
	}
	if _, err := DecimalScale(BytesSchema); !errors.Is(err, ErrData) {
		t.Errorf("missing scale err = %v", err)
	}
	if _, err := DecimalScale(NewSchemaBuilder(TypeBytes).Parameter("scale", "x").MustBuild()); !errors.Is(err, ErrData) {
		t.Errorf("bad scale err = %v", err)
	}
}

func TestTemporal(t *testing.T) {
	day := DaysToDate(10000)
	if n, err := DateToDays(day); n != 10000 || err != nil {
		t.Errorf("DateToDays = %d, %v", n, err)
	}
	if _, err := DateToDays(day.Add(time.Millisecond)); !errors.Is(err, ErrData) {
		t.Errorf("date with time err = %v", err)
	}
	if n, err := TimeToMillis(MillisToTime(45296789)); n != 45296789 || err != nil {
		t.Errorf("TimeToMillis = %d, %v", n, err)
	}
	if _, err := TimeToMillis(day); !errors.Is(err, ErrData) {
		t.Errorf("time with date err = %v", err)
	}
	if DaysToDate(-1).Format("2006-01-02") != "1969-12-31" {
		t.Error("negative days")
	}
}
