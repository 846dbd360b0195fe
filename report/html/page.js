// captrace HTML report: sorting, the filter box, and the call tree's
// hover and click. Plain DOM, no library; the page reads fine without it.
(function () {
  "use strict";
  var list = document.getElementById("groups");
  if (!list) return;
  var groups = Array.prototype.slice.call(list.children);
  var filterBox = document.getElementById("filter");
  var onlyNew = document.getElementById("only-new");
  var shown = document.getElementById("shown");
  var noMatch = document.getElementById("no-match");
  var tree = document.getElementById("tree");
  var treeStatus = document.getElementById("tree-status");
  var subtreeChip = document.getElementById("subtree");
  var subtreeName = document.getElementById("subtree-name");
  var subtree = null; // {first, last, node}: pre-order range of the clicked frame

  function apply() {
    var q = filterBox.value.trim().toLowerCase();
    var wantNew = onlyNew && onlyNew.checked;
    var n = 0;
    for (var i = 0; i < groups.length; i++) {
      var g = groups[i], ok = true;
      if (q && g.dataset.search.indexOf(q) < 0) ok = false;
      if (ok && subtree) {
        var leaf = +g.dataset.leaf;
        ok = leaf >= subtree.first && leaf <= subtree.last;
      }
      if (ok && wantNew && !g.hasAttribute("data-new")) ok = false;
      if (g.hidden === ok) g.hidden = !ok;
      if (ok) n++;
    }
    shown.textContent = n === groups.length ? groups.length + " groups" : n + " of " + groups.length + " groups";
    noMatch.hidden = n !== 0;
  }

  var timer = 0;
  filterBox.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(apply, 60);
  });
  filterBox.addEventListener("keydown", function (e) {
    if (e.key === "Enter") { clearTimeout(timer); apply(); }
  });
  if (onlyNew) onlyNew.addEventListener("change", apply);

  // Sorting: numbers descending first, names ascending first; a second
  // click reverses. Ties keep the report's order.
  var sortKey = "count", sortDir = -1;
  function sortBy(key) {
    if (key === sortKey) sortDir = -sortDir;
    else { sortKey = key; sortDir = key === "count" ? -1 : 1; }
    var numeric = key === "count";
    var sorted = groups.slice().sort(function (a, b) {
      var x = a.dataset[key], y = b.dataset[key], c;
      if (numeric) c = x - y;
      else c = x < y ? -1 : x > y ? 1 : 0;
      return c * sortDir || a.dataset.index - b.dataset.index;
    });
    var frag = document.createDocumentFragment();
    for (var i = 0; i < sorted.length; i++) frag.appendChild(sorted[i]);
    list.appendChild(frag);
    document.querySelectorAll("button[data-sort]").forEach(function (b) {
      var on = b.dataset.sort === key;
      b.classList.toggle("sorted", on);
      b.classList.toggle("asc", on && sortDir > 0);
      if (on) b.setAttribute("aria-sort", sortDir > 0 ? "ascending" : "descending");
      else b.removeAttribute("aria-sort");
    });
  }
  document.querySelectorAll("button[data-sort]").forEach(function (b) {
    b.addEventListener("click", function () { sortBy(b.dataset.sort); });
  });

  // The call tree: hover shows a frame's counts, a click keeps the groups
  // whose stacks pass through it (the root shows all again).
  function selectSubtree(node) {
    var prev = tree.querySelector(".node.selected");
    if (prev) prev.classList.remove("selected");
    subtree = null;
    if (node && node.dataset.pre !== "0") {
      subtree = { first: +node.dataset.pre, last: +node.dataset.last };
      node.classList.add("selected");
      subtreeName.textContent = node.dataset.name;
    }
    subtreeChip.hidden = !subtree;
    apply();
  }
  tree.addEventListener("click", function (e) {
    var node = e.target.closest(".node");
    if (node) selectSubtree(node);
  });
  tree.addEventListener("mouseover", function (e) {
    var node = e.target.closest(".node");
    if (node) treeStatus.textContent = node.title;
  });
  document.getElementById("subtree-clear").addEventListener("click", function () { selectSubtree(null); });

  // A link to #gN opens that group.
  function openFromHash() {
    var g = location.hash && document.getElementById(location.hash.slice(1));
    if (g && g.classList.contains("group")) { g.open = true; g.scrollIntoView(); }
  }
  window.addEventListener("hashchange", openFromHash);
  openFromHash();
})();
