package report

// Schema names the JSON report format. A reader that sees another value
// must refuse the file instead of guessing: Load does.
const Schema = "captrace/report/v1"

// Report is the JSON report (captrace/report/v1). The field names and tags
// are a contract with every saved report and baseline: add fields, never
// rename or remove them (docs/json-schema.md).
type Report struct {
	Schema     string   `json:"schema"`
	Version    string   `json:"version"`
	Platform   string   `json:"platform"`
	Mode       string   `json:"mode"`
	Enter      string   `json:"enter"`
	Command    []string `json:"command"`
	Date       string   `json:"date,omitempty"` // when the run started, RFC 3339 UTC; absent in older reports
	ExitStatus int      `json:"exit_status"`
	Summary    Summary  `json:"summary"`
	Groups     []Group  `json:"groups"`
	// EnterReached is where the enter point was first reached; absent
	// when it never was (and in reports older than the field).
	EnterReached *EnterSite `json:"enter_reached,omitempty"`
	// RawBytes holds the exact bytes of every string above that is not
	// valid UTF-8, by JSON Pointer, in base64 (rawbytes.go). WriteJSON
	// fills it and Parse applies it; in memory it is always empty.
	RawBytes map[string]string `json:"raw_bytes,omitempty"`
	// Descriptors: with --suggest-rights, the minimal limits of each
	// descriptor a process held at its enter point.
	Descriptors []Descriptor `json:"descriptors,omitempty"`
}

// Summary counts what the run saw; Violations is the sum of the groups'
// counts.
type Summary struct {
	Violations int `json:"violations"`
	Groups     int `json:"groups"`
	Processes  int `json:"processes"`
}

// Group is every violation seen at one call site with one syscall and
// errno.
type Group struct {
	Fingerprint string  `json:"fingerprint"`
	Syscall     string  `json:"syscall"`
	Errno       string  `json:"errno"`
	Kind        string  `json:"kind"`
	Reason      string  `json:"reason"`
	Hint        string  `json:"hint"`
	Count       int     `json:"count"`
	Pids        []int   `json:"pids"`
	Site        Site    `json:"site"`
	Example     Example `json:"example"`
}

// Site is the call site: the innermost frame of the program's own code
// (symbolize.CallSite).
type Site struct {
	Function string `json:"function"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Module   string `json:"module"`
	// Address is set only when the site has no line (stripped code): the
	// call's address as "module+0xoff" (module-relative, when the
	// Symbolizer can tell) or "0x..." (absolute). It is what tells two
	// calls in one stripped function apart.
	Address string `json:"address,omitempty"`
	// SourceRoot is the repository File belongs to (symbolize.Frame's
	// SourceRoot): SARIF makes paths relative to it.
	SourceRoot string `json:"source_root,omitempty"`
	// Note says what is uncertain about the site: in a static program
	// without line information whose C library could not be located,
	// the site may be the C library's wrapper rather than the program's
	// call (symbolize.Frame.MaybeLibC).
	Note string `json:"note,omitempty"`
}

// EnterSite is where the first process to reach the enter point reached
// it: the caller of the enter function (cap_enter, main, SYMBOL), or, for
// --enter=exec, the program execed.
type EnterSite struct {
	Pid      int    `json:"pid"`
	Function string `json:"function,omitempty"`
	File     string `json:"file,omitempty"`
	Line     int    `json:"line,omitempty"`
	Module   string `json:"module,omitempty"`
	Exec     string `json:"exec,omitempty"` // --enter=exec: the program whose exec it was
}

// Example is the first (or, with several paths to one site, the
// canonical) occurrence of a group, with its decoded arguments and stack.
type Example struct {
	Pid   int          `json:"pid"`
	Tid   int          `json:"tid"`
	Args  []string     `json:"args"`
	Stack []StackFrame `json:"stack"`
}

// StackFrame is one symbolized frame, innermost first. Inlined frames share
// their PC with the frame that follows them.
type StackFrame struct {
	PC       string `json:"pc"`
	Module   string `json:"module"`
	Function string `json:"function"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Inlined  bool   `json:"inlined"`
	// TailCall marks a frame rebuilt from DWARF call sites: a function
	// that had left by a tail call when the syscall ran.
	TailCall bool `json:"tailcall,omitempty"`
}

// Meta is what the Collector cannot learn from events: the run itself.
type Meta struct {
	Version    string   // "captrace 0.1.0"
	Platform   string   // "linux/amd64"
	Mode       string   // "audit" or "enforce"
	Enter      string   // the --enter point
	Command    []string // the traced command line, argv[0] first
	Date       string   // when the run started, RFC 3339
	ExitStatus int      // the program's status, 128+N when killed by signal N
	// Dir is the traced program's starting working directory; hints use it
	// to recognise relative files named on the command line ("" = captrace's
	// own working directory).
	Dir string
}
