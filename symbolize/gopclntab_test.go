package symbolize

import "testing"

// TestGoTableMinimal reads the hand-made table of FuzzGoPCLnTab's seed.
func TestGoTableMinimal(t *testing.T) {
	tab, err := parseGoTable(minimalGoPCLnTab(), 0x1000)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		addr   uint64
		places []place
	}{
		{0x0fff, nil},
		{0x1000, []place{{function: "f", file: "f.go"}}},
		{0x100f, []place{{function: "f", file: "f.go"}}},
		{0x1010, nil},
	}
	for _, tc := range tests {
		got := tab.places(tc.addr)
		if len(got) != len(tc.places) || (len(got) > 0 && got[0] != tc.places[0]) {
			t.Errorf("places(%#x) = %+v, want %+v", tc.addr, got, tc.places)
		}
	}
	if d, ok := tab.spDelta(0x1008); !ok || d != 0 {
		t.Errorf("spDelta = %d, %v; want 0, true", d, ok)
	}
	if _, err := parseGoTable(minimalGoPCLnTab()[:40], 0x1000); err == nil {
		t.Error("a truncated header parsed")
	}
}
