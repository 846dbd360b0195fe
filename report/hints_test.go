package report

import "testing"

func TestExampleArg(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"AT_FDCWD", `"/etc/x"`, "O_RDONLY"}, `"/etc/x"`},
		{[]string{"42", "SIGTERM"}, "42, SIGTERM"},
		{[]string{"1", "2", "3", "4"}, "1, 2, 3"},
		{nil, ""},
		{[]string{`"/a/very/long/path/that/goes/on/and/on/and/on/forever/and/ever"`}, `"/a/very/long/path/that/goes/on/and/on/and/on...`},
	} {
		if got := exampleArg(tc.args); got != tc.want {
			t.Errorf("exampleArg(%q) = %q, want %q", tc.args, got, tc.want)
		}
	}
}
