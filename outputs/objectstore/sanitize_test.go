package objectstore

import (
	"strings"
	"testing"
)

func TestSanitizeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"orders", "orders"},
		{"", "none"},
		{".", "_"},
		{"..", "._"},
		{"../../etc/passwd", ".__.__etc_passwd"},
		{"a/b", "a_b"},
		{`a\b`, "a_b"},
		{"a..b", "a._b"},
		{"a...b", "a._.b"},
		{"v1.2.3", "v1.2.3"},
		{"tab\there", "tab_here"},
		{"nl\nx\x00y\x7f", "nl_x_y_"},
		{"c1\u0085x", "c1_x"},
		{"bad\xffutf8", "bad_utf8"},
		{"Grüße", "Grüße"},
		{"Grüße/..", "Grüße_._"},
	}
	for _, tt := range tests {
		if got := SanitizeName(tt.in); got != tt.want {
			t.Errorf("SanitizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSanitizeNameCleanDoesNotAllocate(t *testing.T) {
	in := strings.Repeat("orders-v1.2_", 4)
	if n := testing.AllocsPerRun(100, func() { _ = SanitizeName(in) }); n != 0 {
		t.Errorf("SanitizeName of a clean value: %v allocs, want 0", n)
	}
}

func TestSanitizeContainer(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"audit-orders", "audit-orders", false},
		{"Audit_Orders", "audit-orders", false},
		{"audit--orders", "audit-orders", false},
		{"-audit.orders-", "audit-orders", false},
		{"audit-Grüße", "audit-gr-e", false},
		{"abc", "abc", false},
		{"ab", "", true},
		{"a--b", "a-b", false},
		{"a-", "", true},
		{"--", "", true},
		{"", "", true},
		{strings.Repeat("a", 70), strings.Repeat("a", 63), false},
		{strings.Repeat("a", 62) + "-b", strings.Repeat("a", 62), false},
	}
	for _, tt := range tests {
		got, err := SanitizeContainer(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("SanitizeContainer(%q) = %q, %v; want %q, error %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}
