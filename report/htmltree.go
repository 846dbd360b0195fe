package report

import (
	"cmp"
	"fmt"
	"hash/fnv"
	"html/template"
	"slices"
	"strings"
)

// stackTree aggregates the groups' example stacks, outermost frame first,
// down to each call site: the icicle of the HTML report. Frames merge by
// name under the same parent, as in a flame graph.
type stackTree struct {
	nodes []*treeNode // nodes[0] is the root
	// preorder maps a node's index in nodes to its pre-order number, set
	// by layout: a subtree is then the range [pre, last descendant].
	preorder []int
}

type treeNode struct {
	name     string
	files    map[string]bool
	count    int
	groups   int
	system   bool
	children map[string]int
}

func newStackTree() *stackTree {
	return &stackTree{nodes: []*treeNode{{children: map[string]int{}}}}
}

// add counts one group along path and returns the index of the node the
// path ends at: the group's site.
func (t *stackTree) add(path []StackFrame, count int) int {
	at := 0
	t.nodes[0].count += count
	t.nodes[0].groups++
	for _, f := range path {
		name := frameName(f)
		next, ok := t.nodes[at].children[name]
		if !ok {
			next = len(t.nodes)
			t.nodes = append(t.nodes, &treeNode{name: name, files: map[string]bool{}, system: isSystemStackFrame(f), children: map[string]int{}})
			t.nodes[at].children[name] = next
		}
		n := t.nodes[next]
		n.count += count
		n.groups++
		if f.File != "" {
			n.files[f.File] = true
		}
		at = next
	}
	return at
}

// treePath is a group's stack from the outermost frame down to the site:
// the frames inside the C library or runtime below the site are the same
// for every group of a syscall and say nothing about the program.
func treePath(g Group) []StackFrame {
	stack := g.Example.Stack
	site := -1
	for i, f := range stack {
		if isSiteFrame(f, g.Site) {
			site = i
			break
		}
	}
	if site < 0 {
		site = slices.IndexFunc(stack, func(f StackFrame) bool { return !isSystemStackFrame(f) })
	}
	if site < 0 {
		site = 0
	}
	path := slices.Clone(stack[site:])
	slices.Reverse(path)
	return path
}

type htmlTree struct {
	Nodes  []htmlNode
	Height template.CSS
	Total  int
}

type htmlNode struct {
	Pre, Last int // pre-order numbers of the node and its last descendant
	Depth     int
	Name      string
	Title     string
	Count     int
	System    bool
	Style     template.CSS
}

// treeRowHeight is one icicle row, in CSS pixels (page.css sizes the text
// to fit).
const treeRowHeight = 20

// layout numbers the nodes in pre-order, the widest child first, and
// places each: its width is its share of all violations.
func (t *stackTree) layout(rootName string) htmlTree {
	root := t.nodes[0]
	root.name = "all"
	if rootName != "" {
		root.name = rootName
	}
	out := htmlTree{Total: root.count}
	t.preorder = make([]int, len(t.nodes))
	maxDepth := 0
	var walk func(at, depth, before int)
	walk = func(at, depth, before int) {
		n := t.nodes[at]
		maxDepth = max(maxDepth, depth)
		pre := len(out.Nodes)
		t.preorder[at] = pre
		out.Nodes = append(out.Nodes, htmlNode{
			Pre:    pre,
			Depth:  depth,
			Name:   n.name,
			Title:  nodeTitle(n, root.count, depth == 0),
			Count:  n.count,
			System: n.system,
			Style: template.CSS(fmt.Sprintf("left:%s;width:%s;top:%dpx;--h:%d",
				percent(before, root.count), percent(n.count, root.count), depth*treeRowHeight, hue(n.name))),
		})
		kids := make([]int, 0, len(n.children))
		for _, k := range n.children {
			kids = append(kids, k)
		}
		slices.SortFunc(kids, func(a, b int) int {
			return cmp.Or(cmp.Compare(t.nodes[b].count, t.nodes[a].count), cmp.Compare(t.nodes[a].name, t.nodes[b].name))
		})
		for _, k := range kids {
			walk(k, depth+1, before)
			before += t.nodes[k].count
		}
		out.Nodes[pre].Last = len(out.Nodes) - 1
	}
	walk(0, 0, 0)
	out.Height = template.CSS(fmt.Sprintf("height:%dpx", (maxDepth+1)*treeRowHeight))
	return out
}

func percent(n, total int) string {
	if total == 0 {
		return "0%"
	}
	return fmt.Sprintf("%.4f%%", 100*float64(n)/float64(total))
}

func nodeTitle(n *treeNode, total int, root bool) string {
	var b strings.Builder
	b.WriteString(n.name)
	if root {
		b.WriteString(" (all violations)")
	}
	if len(n.files) == 1 {
		for f := range n.files {
			b.WriteString("\n" + f)
		}
	}
	share := 0.0
	if total > 0 {
		share = 100 * float64(n.count) / float64(total)
	}
	fmt.Fprintf(&b, "\n%s (%.1f%%) in %s", plural(n.count, "violation"), share, plural(n.groups, "group"))
	return b.String()
}

// hue gives each function its own warm colour, the same on every page, so
// a function is recognisable wherever it appears in the icicle.
func hue(name string) int {
	h := fnv.New32a()
	h.Write([]byte(name))
	return 8 + int(h.Sum32()%42)
}
