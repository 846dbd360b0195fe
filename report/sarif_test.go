package report

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// sarifSchemaPath finds the OASIS schema beside the repository
// (../shared/schemas from the module root), where CI provides it.
func sarifSchemaPath(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	if d, err := filepath.EvalSymlinks(dir); err == nil {
		dir = d
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("cannot find the module root (go.mod) above the test directory")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "schemas", "sarif-schema-2.1.0.json")
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("the SARIF 2.1.0 schema is missing: %v; it is expected at ../shared/schemas/sarif-schema-2.1.0.json beside the repository (CI provides it; download it from https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json)", err)
	}
	return p
}

func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(sarifSchemaPath(t))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource("sarif-schema-2.1.0.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func TestSARIFValidates(t *testing.T) {
	sch := compileSARIFSchema(t)
	empty := fixtureReport(t)
	empty.Groups = nil
	for name, r := range map[string]*Report{"fixture": fixtureReport(t), "empty": empty} {
		var b bytes.Buffer
		if err := WriteSARIF(&b, r); err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s: SARIF output does not validate: %v\n%s", name, err, b.String())
		}
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
