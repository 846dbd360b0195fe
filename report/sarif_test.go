package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	gosarif "github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
)

// validateSARIF checks data against the official OASIS SARIF 2.1.0 schema,
// which github.com/owenrumney/go-sarif embeds (byte for byte the schema
// published at docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/):
// the test needs nothing beside the repository. go-sarif validates its own
// decoded form of the log, so the test also checks that decoding kept every
// member of data: a member its types do not know would escape validation.
func validateSARIF(t *testing.T, data []byte) error {
	t.Helper()
	log, err := gosarif.FromBytes(data)
	if err != nil {
		return err
	}
	// go-sarif decodes an absent language as "", which the schema's
	// pattern refuses; SARIF 2.1.0 (3.14.21, 3.14.26, 3.19.21) gives it the default
	// "en-US" instead, and newlineSequences the default ["\r\n", "\n"].
	for _, run := range log.Runs {
		if run.Language == "" {
			run.Language = "en-US"
		}
		if len(run.NewlineSequences) == 0 {
			run.NewlineSequences = []string{"\r\n", "\n"}
		}
		if run.Tool != nil && run.Tool.Driver != nil && run.Tool.Driver.Language == "" {
			run.Tool.Driver.Language = "en-US"
		}
	}
	var again bytes.Buffer
	if err := log.Write(&again); err != nil {
		return err
	}
	var want, got any
	if err := json.Unmarshal(data, &want); err != nil {
		return err
	}
	if err := json.Unmarshal(again.Bytes(), &got); err != nil {
		return err
	}
	if lost := lostMembers(want, got, "$"); len(lost) > 0 {
		t.Fatalf("go-sarif's types dropped %v: those members were not validated", lost)
	}
	return log.Validate()
}

// lostMembers lists the object members of want (with a non-empty value)
// that got does not have.
func lostMembers(want, got any, path string) []string {
	var lost []string
	switch w := want.(type) {
	case map[string]any:
		g, _ := got.(map[string]any)
		for k, v := range w {
			gv, ok := g[k]
			if !ok {
				if !isEmptyJSON(v) {
					lost = append(lost, path+"."+k)
				}
				continue
			}
			lost = append(lost, lostMembers(v, gv, path+"."+k)...)
		}
	case []any:
		g, _ := got.([]any)
		for i, v := range w {
			if i < len(g) {
				lost = append(lost, lostMembers(v, g[i], fmt.Sprintf("%s[%d]", path, i))...)
			} else {
				lost = append(lost, fmt.Sprintf("%s[%d]", path, i))
			}
		}
	}
	return lost
}

func isEmptyJSON(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

func TestSARIFValidates(t *testing.T) {
	empty := fixtureReport(t)
	empty.Groups = nil
	for name, r := range map[string]*Report{"fixture": fixtureReport(t), "empty": empty} {
		var b bytes.Buffer
		if err := WriteSARIF(&b, r); err != nil {
			t.Fatal(err)
		}
		if err := validateSARIF(t, b.Bytes()); err != nil {
			t.Errorf("%s: SARIF output does not validate: %v\n%s", name, err, b.String())
		}
	}
}

// TestSARIFValidatorRejects keeps the validator honest: a log the schema
// forbids must fail.
func TestSARIFValidatorRejects(t *testing.T) {
	var b bytes.Buffer
	if err := WriteSARIF(&b, fixtureReport(t)); err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(b.Bytes(), []byte(`"level": "error"`), []byte(`"level": "loud"`), 1)
	if bytes.Equal(bad, b.Bytes()) {
		t.Fatalf("no result level to corrupt in:\n%s", b.String())
	}
	if err := validateSARIF(t, bad); err == nil {
		t.Error(`a result with "level": "loud" validated`)
	}
}

// absoluteFiles makes the fixture's files absolute, as DWARF usually
// records them (comp_dir joined), with the source root the symbolizer
// finds for them: the checkout the test runs in.
func absoluteFiles(t *testing.T, r *Report) {
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		a, _ := filepath.Abs(p)
		return a
	}
	root, _ := filepath.Abs(".")
	for {
		if _, err := os.Lstat(filepath.Join(root, ".git")); err == nil {
			break
		}
		if filepath.Dir(root) == root {
			t.Fatal("the test does not run inside a checkout")
		}
		root = filepath.Dir(root)
	}
	for i := range r.Groups {
		g := &r.Groups[i]
		g.Site.File = abs(g.Site.File)
		g.Site.SourceRoot = root
		for j := range g.Example.Stack {
			g.Example.Stack[j].File = abs(g.Example.Stack[j].File)
		}
	}
}

// TestSARIFRelativePathsStayRelative: a file the compiler recorded
// relative (go build -trimpath, -fdebug-prefix-map) is relative to the
// source root, whatever directory captrace runs in.
func TestSARIFRelativePathsStayRelative(t *testing.T) {
	r := fixtureReport(t)
	r.Groups[0].Site.File = "example.com/tool/main.go"
	var b bytes.Buffer
	if err := WriteSARIF(&b, r); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, res := range log.Runs[0].Results {
		art := res.Locations[0].PhysicalLocation.ArtifactLocation
		if strings.HasSuffix(art.URI, "main.go") {
			found = true
			if art.URI != "example.com/tool/main.go" || art.URIBaseID != srcRoot {
				t.Errorf("artifact location %+v, want example.com/tool/main.go under %s", art, srcRoot)
			}
		}
	}
	if !found {
		t.Error("no result at main.go")
	}
}

func TestSARIFContent(t *testing.T) {
	r := fixtureReport(t)
	absoluteFiles(t, r)
	var b bytes.Buffer
	if err := WriteSARIF(&b, r); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if len(run.Results) != len(r.Groups) {
		t.Fatalf("%d results for %d groups", len(run.Results), len(r.Groups))
	}
	res := run.Results[0]
	g := r.Groups[0]
	if res.RuleID != "capmode/global-namespace" || run.Tool.Driver.Rules[res.RuleIndex].ID != res.RuleID {
		t.Errorf("rule %q index %d", res.RuleID, res.RuleIndex)
	}
	if res.PartialFingerprints[FingerprintKey] != g.Fingerprint {
		t.Errorf("partialFingerprints %v, want %s", res.PartialFingerprints, g.Fingerprint)
	}
	art := res.Locations[0].PhysicalLocation.ArtifactLocation
	// The test runs inside the captrace checkout, so the site is relative
	// to its root.
	if art.URIBaseID != srcRoot || !strings.HasSuffix(art.URI, "report/testdata/src/prog.c") || strings.HasPrefix(art.URI, "/") {
		t.Errorf("artifact location %+v, want report/testdata/src/prog.c under %s", art, srcRoot)
	}
	if got := res.Locations[0].PhysicalLocation.Region.StartLine; got != 13 {
		t.Errorf("startLine %d, want 13", got)
	}
	if root := run.OriginalURIBaseIDs[srcRoot].URI; !strings.HasPrefix(root, "file:///") || !strings.HasSuffix(root, "/") {
		t.Errorf("%%SRCROOT%% = %q", root)
	}
	flow := res.CodeFlows[0].ThreadFlows[0].Locations
	if len(flow) != len(g.Example.Stack) || flow[1].Importance != "essential" || flow[0].Importance != "unimportant" {
		t.Errorf("code flow %+v", flow)
	}
	if !strings.Contains(res.Message.Text, g.Reason) || !strings.Contains(res.Message.Text, g.Hint) {
		t.Errorf("message %q lacks reason or hint", res.Message.Text)
	}

	// Where capability mode began goes with the run's properties.
	r.EnterReached = &EnterSite{Pid: 4242, Function: "sandbox_init", File: "/src/prog.c", Line: 41, Module: "/src/prog"}
	b.Reset()
	if err := WriteSARIF(&b, r); err != nil {
		t.Fatal(err)
	}
	var withEnter struct {
		Runs []struct {
			Properties struct {
				EnterReached EnterSite `json:"enterReached"`
			} `json:"properties"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &withEnter); err != nil {
		t.Fatal(err)
	}
	if got := withEnter.Runs[0].Properties.EnterReached; got != *r.EnterReached {
		t.Errorf("run properties' enterReached %+v, want %+v", got, *r.EnterReached)
	}
}

func TestSARIFOutsideRepository(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "a.c")
	r := &Report{Schema: Schema, Groups: []Group{{Fingerprint: "f", Syscall: "openat", Errno: "ECAPMODE", Kind: "global-namespace", Count: 1,
		Site: Site{Function: "f", File: src, Line: 3, Module: "/x/a"}}}}
	var b bytes.Buffer
	if err := WriteSARIF(&b, r); err != nil {
		t.Fatal(err)
	}
	var log sarifLog
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	art := log.Runs[0].Results[0].Locations[0].PhysicalLocation.ArtifactLocation
	if art.URI != "file://"+src || art.URIBaseID != "" {
		t.Errorf("artifact location %+v, want file://%s", art, src)
	}
	if log.Runs[0].OriginalURIBaseIDs != nil {
		t.Errorf("originalUriBaseIds %v without relative URIs", log.Runs[0].OriginalURIBaseIDs)
	}
}
