package main

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/captrace/captrace/internal/browser"
	"github.com/captrace/captrace/internal/victims"
	"github.com/captrace/captrace/report"
)

// The HTML report, from a real run of a real victim, loaded from disk in
// headless Chromium: what a user sees, asserted on the rendered DOM.

// markupDir is where the test compiles htmlreport.c: the site's file name
// then carries a whole <script> element, which the page must show as text
// (and never run: it would set window.pwned).
const markupDir = "<script>window.pwned=1</script>"

// htmlVictim compiles htmlreport.c under markupDir and returns the binary
// and the source file the DWARF line table names.
func htmlVictim(t *testing.T) (bin, src string) {
	t.Helper()
	bin = victims.Build(t, "htmlreport-markup", func(out string) error {
		dir := filepath.Join(filepath.Dir(out), "htmlsrc", markupDir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		text, err := os.ReadFile(victims.Source("htmlreport.c"))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "htmlreport.c"), text, 0o644); err != nil {
			return err
		}
		return victims.Run("gcc", "-O0", "-g", "-Wall", "-I", filepath.Dir(victims.Source("htmlreport.c")),
			"-o", out, filepath.Join(dir, "htmlreport.c"))
	})
	return bin, filepath.Join(filepath.Dir(bin), "htmlsrc", markupDir, "htmlreport.c")
}

// artifactDir is where browser tests leave their screenshots:
// $CAPTRACE_ARTIFACTS, else build/artifacts in the repository.
func artifactDir(t *testing.T) string {
	dir := os.Getenv("CAPTRACE_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(victims.Root(), "build", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func fileURL(path string) string {
	return (&url.URL{Scheme: "file", Path: path}).String()
}

func TestHTMLReportInBrowser(t *testing.T) {
	bin, src := htmlVictim(t)
	dir := t.TempDir()

	// The JSON route: a saved report, and a baseline that lacks one group.
	saved := filepath.Join(dir, "run.json")
	run := captraceRaw(t, dir, "-o", saved, bin)
	rep, err := report.Load(saved)
	if err != nil || run.exit != 0 || len(rep.Groups) != 3 {
		t.Fatalf("run: exit %d, report %v, want exit 0 and 3 groups\nstderr:\n%s", run.exit, err, run.stderr)
	}
	base := *rep
	base.Groups = nil
	base.Summary.Violations = 0
	for _, g := range rep.Groups {
		if g.Site.Function != "open_markup" {
			base.Groups = append(base.Groups, g)
			base.Summary.Violations += g.Count
		}
	}
	// A baseline whose summary disagrees with its groups is refused.
	base.Summary.Groups = len(base.Groups)
	baseline := filepath.Join(dir, "baseline.json")
	if err := report.WriteFile(baseline, report.FormatJSON, &base, report.Options{}); err != nil {
		t.Fatal(err)
	}

	// Both routes: -o x.html on a live run (the format from the extension)
	// and `captrace report --format=html` of the saved JSON.
	live := filepath.Join(dir, "live.html")
	r := captraceRaw(t, dir, "--baseline="+baseline, "-o", live, bin)
	if r.exit != report.GateExitStatus {
		t.Fatalf("live run with a baseline missing a group: exit %d, want %d (gate)\nstderr:\n%s", r.exit, report.GateExitStatus, r.stderr)
	}
	rendered := filepath.Join(dir, "page.html")
	r = captraceRaw(t, dir, "report", "--format=html", "--baseline", baseline, saved, "-o", rendered)
	if r.exit != 0 {
		t.Fatalf("captrace report --format=html: exit %d\nstderr:\n%s", r.exit, r.stderr)
	}

	ctx := browser.ForTest(t, context.Background(), 1280, 1000)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for _, page := range []struct{ name, path string }{{"live", live}, {"from-json", rendered}} {
		t.Run(page.name, func(t *testing.T) {
			checkHTMLPage(t, ctx, page.path, src)
		})
	}
}

// checkHTMLPage loads a page of the htmlreport victim's report and checks
// what it shows and how it reacts.
func checkHTMLPage(t *testing.T, ctx context.Context, path, src string) {
	do(t, ctx, chromedp.Navigate(fileURL(path)))

	// Header: the run itself.
	header := eval[map[string]string](t, ctx, `({
		mode: document.getElementById("mode").textContent,
		enter: document.getElementById("enter").textContent,
		exit: document.getElementById("exit").textContent,
		violations: document.getElementById("violations").textContent,
		groups: document.getElementById("group-count").textContent,
		newCount: document.getElementById("new-count").textContent,
		command: document.getElementById("command").textContent,
	})`)
	for k, want := range map[string]string{"mode": "audit", "exit": "0", "violations": "5", "groups": "3", "newCount": "1"} {
		if header[k] != want {
			t.Errorf("header %s = %q, want %q", k, header[k], want)
		}
	}
	// Where the enter point was reached: the pid, and the caller of
	// cap_enter at its line.
	enterAt := regexp.MustCompile(fmt.Sprintf(`^cap_enter reached in pid [1-9][0-9]* at main htmlreport\.c:%d$`,
		victims.Line(t, "htmlreport.c", "SITE:enter")))
	if !enterAt.MatchString(header["enter"]) || !strings.Contains(header["command"], "htmlreport-markup") {
		t.Errorf("header: enter %q (want %s), command %q", header["enter"], enterAt, header["command"])
	}

	// One entry per group, each with its site.
	type row struct {
		ID, Function, Loc, Count, Arg string
		New                           bool
	}
	rows := eval[[]row](t, ctx, `Array.from(document.querySelectorAll("#groups > .group")).map(g => ({
		ID: g.id,
		Function: g.querySelector(".c-site .fn").textContent,
		Loc: g.querySelector(".c-site .loc").textContent,
		Count: g.querySelector(".c-count").textContent,
		Arg: g.querySelector(".c-arg").textContent,
		New: g.hasAttribute("data-new"),
	}))`)
	if len(rows) != 3 {
		t.Fatalf("%d groups on the page, want 3: %+v", len(rows), rows)
	}
	byFn := map[string]row{}
	for _, r := range rows {
		byFn[r.Function] = r
	}
	readLine := victims.Line(t, "htmlreport.c", "SITE:read_config")
	rc := byFn["read_config"]
	if rc.Count != "3" || !strings.HasSuffix(rc.Loc, fmt.Sprintf("htmlreport.c:%d", readLine)) || rc.New {
		t.Errorf("read_config row %+v: want count 3, at htmlreport.c:%d, not new", rc, readLine)
	}
	// The <script> in the path argument is text, and nothing ran.
	om := byFn["open_markup"]
	if om.Arg != `"/nonexistent/<script>window.pwned=2</script>"` || !om.New {
		t.Errorf("open_markup row %+v: want the path with <script> as text, marked new", om)
	}
	safety := eval[map[string]any](t, ctx, `({pwned: String(window.pwned), scripts: document.scripts.length})`)
	if safety["pwned"] != "undefined" || safety["scripts"] != float64(1) {
		t.Errorf("markup from the program ran or became elements: %v", safety)
	}

	// Expanding a group shows its source with the site line highlighted,
	// and its stack with system frames dimmed.
	do(t, ctx, chromedp.Click(chromedp.CSS("#"+rc.ID+" > summary")))
	detail := eval[map[string]string](t, ctx, `(() => {
		const g = document.getElementById(`+jsString(rc.ID)+`);
		const hl = g.querySelector(".excerpt .src.hl");
		return {
			open: String(g.open),
			visible: String(hl.getBoundingClientRect().height > 0),
			line: hl.dataset.line,
			text: hl.textContent,
			caption: g.querySelector(".excerpt figcaption").textContent,
			site: g.querySelector(".stack .frame.site .fn").textContent,
			dimmed: String(g.querySelectorAll(".stack .frame.sys").length),
			reason: g.querySelector(".reason").textContent,
		};
	})()`)
	wantText := sourceLine(t, src, readLine)
	if detail["open"] != "true" || detail["visible"] != "true" || detail["line"] != fmt.Sprint(readLine) ||
		!strings.HasSuffix(detail["text"], strings.TrimSpace(wantText)) {
		t.Errorf("expanded read_config: %v; want line %d highlighted: %q", detail, readLine, wantText)
	}
	if detail["caption"] != fmt.Sprintf("%s:%d", src, readLine) || detail["site"] != "read_config" || detail["dimmed"] == "0" || detail["reason"] == "" {
		t.Errorf("expanded read_config: %v; want caption %s:%d, site frame read_config, some system frames", detail, src, readLine)
	}

	// The filter box, typed into, keeps the matching groups.
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#filter"), "markup"))
	visible := waitVisibleGroups(t, ctx, 1)
	if visible[0] != "open_markup" {
		t.Errorf("filter \"markup\" kept %v, want open_markup", visible)
	}
	for range len("markup") {
		do(t, ctx, chromedp.SendKeys(chromedp.CSS("#filter"), "\b"))
	}
	waitVisibleGroups(t, ctx, 3)

	// "only new" keeps the group the baseline lacks.
	do(t, ctx, chromedp.Click(chromedp.CSS("#only-new")))
	if v := waitVisibleGroups(t, ctx, 1); v[0] != "open_markup" {
		t.Errorf("only new kept %v, want open_markup", v)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS("#only-new")))
	waitVisibleGroups(t, ctx, 3)

	// The call tree: a frame's width is its share of the violations, its
	// tooltip gives the count, and a click keeps the groups beneath it.
	tree := eval[map[string]any](t, ctx, `(() => {
		const root = document.querySelector("#tree .node[data-pre='0']");
		const n = document.querySelector("#tree .node[data-name='load_all']");
		return {root: root.getBoundingClientRect().width, node: n.getBoundingClientRect().width,
			title: n.title, total: +root.dataset.count, count: +n.dataset.count};
	})()`)
	rootW, nodeW := tree["root"].(float64), tree["node"].(float64)
	if tree["count"] != float64(3) || tree["total"] != float64(5) || math.Abs(nodeW/rootW-3.0/5.0) > 1.0/rootW {
		t.Errorf("tree: load_all %v px of %v px for %v of %v violations, want width proportional to count", nodeW, rootW, tree["count"], tree["total"])
	}
	if !strings.Contains(tree["title"].(string), "3 violations") {
		t.Errorf("tree: load_all's hover text %q does not give its count", tree["title"])
	}
	do(t, ctx, chromedp.Click(chromedp.CSS("#tree .node[data-name='load_all']")))
	if v := waitVisibleGroups(t, ctx, 1); v[0] != "read_config" {
		t.Errorf("clicking load_all kept %v, want read_config", v)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS("#tree .node[data-name='main']")))
	waitVisibleGroups(t, ctx, 3)

	// The saved screenshot is what the user would see: the read_config
	// group open, the tree filtered to main.
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	shot := filepath.Join(artifactDir(t), "html-report-"+filepath.Base(t.Name())+".png")
	if err := os.WriteFile(shot, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", shot)
}

// waitVisibleGroups waits until n groups are shown (the filter box waits
// for a pause in typing) and returns their site functions.
func waitVisibleGroups(t *testing.T, ctx context.Context, n int) []string {
	t.Helper()
	expr := fmt.Sprintf(`(() => {
		const v = Array.from(document.querySelectorAll("#groups > .group")).filter(g => !g.hidden);
		return v.length === %d ? v.map(g => g.dataset.function) : null;
	})()`, n)
	got, err := chromedp.Run(ctx, chromedp.Poll[[]string](expr, chromedp.WithPollingTimeout(20*time.Second)))
	if err != nil {
		shown := eval[string](t, ctx, `document.getElementById("shown").textContent`)
		t.Fatalf("waiting for %d shown groups: %v (the page shows %q)", n, err, shown)
	}
	return got
}

func do(t *testing.T, ctx context.Context, a chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, a); err != nil {
		t.Fatal(err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

func sourceLine(t *testing.T, file string, line int) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	if line < 1 || line > len(lines) {
		t.Fatalf("%s has no line %d", file, line)
	}
	return strings.ReplaceAll(lines[line-1], "\t", "    ")
}

// manySitesSource is a C program with sites sites, each its own function
// on its own line, called from sites/perBranch branch functions: a report
// of that many groups whose call tree has a known shape.
func manySitesSource(sites, perBranch int) string {
	var b strings.Builder
	b.WriteString("#define _GNU_SOURCE\n#include <fcntl.h>\n#include <unistd.h>\n#include \"capsicum_stub.h\"\n")
	for i := range sites {
		fmt.Fprintf(&b, "__attribute__((noinline)) static void site_%d(void) { close(open(\"/nonexistent/captrace-many-%d\", O_RDONLY)); NO_TAIL_CALL(); }\n", i, i)
	}
	for br := range sites / perBranch {
		fmt.Fprintf(&b, "__attribute__((noinline)) static void branch_%d(void)\n{\n", br)
		for i := br * perBranch; i < (br+1)*perBranch; i++ {
			fmt.Fprintf(&b, "\tsite_%d();\n", i)
		}
		b.WriteString("\tNO_TAIL_CALL();\n}\n")
	}
	b.WriteString("int main(void)\n{\n\tcap_enter();\n")
	for br := range sites / perBranch {
		fmt.Fprintf(&b, "\tbranch_%d();\n", br)
	}
	b.WriteString("\treturn 0;\n}\n")
	return b.String()
}

// The page stays usable at 2,000 groups: it loads, filters, sorts and
// follows a click in the tree within the test's deadline (no timing is
// asserted; a page that froze would miss the deadline).
func TestHTMLReportManyGroups(t *testing.T) {
	const sites, perBranch = 2000, 100
	bin := victims.Build(t, "htmlmany", func(out string) error {
		src := out + ".c"
		if err := os.WriteFile(src, []byte(manySitesSource(sites, perBranch)), 0o644); err != nil {
			return err
		}
		return victims.Run("gcc", "-O0", "-g", "-I", filepath.Dir(victims.Source("htmlreport.c")), "-o", out, src)
	})
	dir := t.TempDir()
	page := filepath.Join(dir, "many.html")
	if r := captraceRaw(t, dir, "-o", page, bin); r.exit != 0 {
		t.Fatalf("captrace: exit %d\nstderr:\n%s", r.exit, r.stderr)
	}

	ctx := browser.ForTest(t, context.Background(), 1280, 1000)
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	do(t, ctx, chromedp.Navigate(fileURL(page)))
	if n := eval[int](t, ctx, `document.querySelectorAll("#groups > .group").length`); n != sites {
		t.Fatalf("%d groups on the page, want %d", n, sites)
	}

	// site_7, site_70..79, site_700..799.
	do(t, ctx, chromedp.SendKeys(chromedp.CSS("#filter"), "site_7"))
	waitVisibleGroups(t, ctx, 1+10+100)
	for range len("site_7") {
		do(t, ctx, chromedp.SendKeys(chromedp.CSS("#filter"), "\b"))
	}
	waitVisibleGroups(t, ctx, sites)

	// A branch is a twentieth of the tree and holds its hundred sites.
	share := eval[float64](t, ctx, `document.querySelector("#tree .node[data-name='branch_3']").getBoundingClientRect().width /
		document.querySelector("#tree .node[data-pre='0']").getBoundingClientRect().width`)
	if math.Abs(share-float64(perBranch)/sites) > 0.002 {
		t.Errorf("branch_3 is %.4f of the tree, want %.4f", share, float64(perBranch)/sites)
	}
	do(t, ctx, chromedp.Click(chromedp.CSS("#tree .node[data-name='branch_3']")))
	shown := waitVisibleGroups(t, ctx, perBranch)
	for _, fn := range shown {
		if n, err := fmt.Sscanf(fn, "site_3%02d", new(int)); n != 1 || err != nil {
			t.Errorf("clicking branch_3 kept %s", fn)
			break
		}
	}

	// Sorting by function puts site_0 first and site_999 last.
	do(t, ctx, chromedp.Click(chromedp.CSS("#tree .node[data-pre='0']")))
	do(t, ctx, chromedp.Click(chromedp.CSS(`button[data-sort="function"]`)))
	order := eval[[]string](t, ctx, `Array.from(document.querySelectorAll("#groups > .group")).map(g => g.dataset.function)`)
	if len(order) != sites || order[0] != "site_0" || order[sites-1] != "site_999" {
		t.Errorf("sorted by function: %d groups, first %q, last %q", len(order), order[0], order[len(order)-1])
	}
}
