package replay

import "testing"

func TestRenumber(t *testing.T) {
	tests := []struct {
		line, want string
		ok         bool
	}{
		{`{"_id":"ab","_seq":17,"_time":"t"}`, `{"_id":"ab","_seq":5,"_time":"t"}`, true},
		{`{"_id":"a\"b\\","_seq":1}`, `{"_id":"a\"b\\","_seq":5}`, true},
		{`{"_id":"ab","_seq":}`, "", false},
		{`{"_seq":1,"_id":"ab"}`, "", false},
		{`{"_id":"ab"`, "", false},
		{`{"_id":"ab","_seq":12`, "", false},
	}
	for _, tt := range tests {
		got, ok := renumber(nil, []byte(tt.line), 5)
		if ok != tt.ok || ok && string(got) != tt.want {
			t.Errorf("renumber(%s) = %s, %v; want %s, %v", tt.line, got, ok, tt.want, tt.ok)
		}
	}
}

func TestPositionsFrom(t *testing.T) {
	p := positions{"k": encodePosition(100, 7)}
	tests := []struct {
		key    string
		before uint64
		from   int
		ok     bool
	}{
		{"k", 50, 0, false}, // an earlier batch: passed
		{"k", 100, 7, true}, // the batch it stopped in
		{"k", 150, 0, true}, // a later batch: from its start
		{"other", 50, 0, true},
	}
	for _, tt := range tests {
		from, ok := p.from(tt.key, tt.before)
		if from != tt.from || ok != tt.ok {
			t.Errorf("from(%s, %d) = %d, %v; want %d, %v", tt.key, tt.before, from, ok, tt.from, tt.ok)
		}
	}
}

func TestRequestID(t *testing.T) {
	a := Request{From: "a", To: "b", Where: "x == 1"}
	b := a
	b.Where, b.Since = "x ==", " 1" // the same bytes concatenated, other arguments
	if a.ID() == b.ID() {
		t.Errorf("two requests share the id %s", a.ID())
	}
	if a.ID() != (Request{From: "a", To: "b", Where: "x == 1"}).ID() {
		t.Error("the same request got two ids")
	}
}
