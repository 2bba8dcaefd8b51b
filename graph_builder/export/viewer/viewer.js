// The NHS digital knowledge graph viewer: draws one exported view as SVG, offline.
// Data: the JSON in #graph-data (written by graph_builder/export_html.py). Positions are
// computed at export time, so the drawing is the same every time it is opened.
// The page sets data-rendered (nodes drawn and visible) and data-edges on <body>.
// URL hash: #select=CODE-or-IRI&date=YYYY-MM-DD&q=TEXT opens with that state.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  var nodes = data.nodes, edges = data.edges;
  var byId = {}, hiddenKinds = {}, selected = null, day = null;
  var canvas = document.getElementById("canvas");
  var view = { x: 0, y: 0, w: 1000, h: 800 };

  function el(tag, attrs, parent, ns) {
    var e = ns ? document.createElementNS(SVG, tag) : document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(e);
    return e;
  }
  function text(tag, value, parent, attrs) {
    var e = el(tag, attrs, parent);
    e.textContent = value;
    return e;
  }

  // --- drawing -------------------------------------------------------------------------
  function draw() {
    var gEdges = document.getElementById("edges"), gNodes = document.getElementById("nodes");
    var gLabels = document.getElementById("labels"), defs = document.getElementById("markers");
    nodes.forEach(function (n, i) { n.index = i; n.degree = 0; n.links = []; byId[n.id] = n; });
    edges.forEach(function (e) {
      e.from = nodes[e.s]; e.to = nodes[e.t];
      e.from.degree++; e.to.degree++; e.from.links.push(e); e.to.links.push(e);
    });
    var colours = {};
    edges.forEach(function (e) { colours[e.colour] = true; });
    Object.keys(colours).sort().forEach(function (c, i) {
      var m = el("marker", { id: "arrow" + i, viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "7",
        markerHeight: "7", orient: "auto-start-reverse" }, defs, true);
      el("path", { d: "M0,0 L10,5 L0,10 z", fill: c }, m, true);
      colours[c] = "url(#arrow" + i + ")";
    });
    nodes.forEach(function (n) { n.r = 4 + 2.2 * Math.sqrt(Math.min(n.degree, 400)); /* hubs of thousands stay in bounds */ });
    edges.forEach(function (e) {
      var dx = e.to.x - e.from.x, dy = e.to.y - e.from.y, len = Math.max(Math.hypot(dx, dy), 0.01);
      e.line = el("line", { "class": "edge", x1: e.from.x, y1: e.from.y,
        x2: e.to.x - dx / len * (e.to.r + 1), y2: e.to.y - dy / len * (e.to.r + 1),
        stroke: e.colour, "marker-end": colours[e.colour] }, gEdges, true);
      if (e.dash === "dashed") e.line.setAttribute("stroke-dasharray", "6 3");
      if (e.dash === "dotted") e.line.setAttribute("stroke-dasharray", "1.5 3");
      el("title", {}, e.line, true).textContent = e.relation + (e.status ? " (" + e.status + ")" : "") + ": " +
        e.from.caption + " \u2192 " + e.to.caption;
    });
    var ranked = nodes.slice().sort(function (a, b) { return b.degree - a.degree || (a.id < b.id ? -1 : 1); });
    var labelled = {};
    ranked.slice(0, nodes.length <= 120 ? nodes.length : 60).forEach(function (n) { labelled[n.id] = true; });
    nodes.forEach(function (n) {
      n.circle = el("circle", { "class": n.exemplar ? "node exemplar" : "node", cx: n.x, cy: n.y, r: n.r,
        fill: n.colour, "data-id": n.id }, gNodes, true);
      el("title", {}, n.circle, true).textContent = n.name + (n.code && n.code !== n.name ? " (" + n.code + ")" : "");
      n.circle.addEventListener("click", function (ev) { ev.stopPropagation(); select(n, false); });
      n.label = el("text", { "class": "label", x: n.x + n.r + 2, y: n.y + 3.5 }, gLabels, true);
      n.label.textContent = nodes.length <= 60 && n.short && n.short !== n.caption ? n.caption + " " + n.short : n.caption;
      n.labelled = !!labelled[n.id];
    });
    fit();
  }

  function visible() {
    var shownEdges = 0, shownNodes = 0;
    nodes.forEach(function (n) {
      n.on = !hiddenKinds[n.kind] && !!n.anchor && (!day || !n.anchor_from || n.anchor_from <= day);
    });
    edges.forEach(function (e) {
      e.on = !day || ((!e.valid_from || e.valid_from <= day) && (!e.valid_until || day < e.valid_until));
      e.on = e.on && !hiddenKinds[e.from.kind] && !hiddenKinds[e.to.kind];
      if (e.on) { e.from.on = true; e.to.on = true; }
    });
    edges.forEach(function (e) { e.line.classList.toggle("hidden", !e.on); if (e.on) shownEdges++; });
    nodes.forEach(function (n) {
      n.circle.classList.toggle("hidden", !n.on);
      var showLabel = n.on && (n.labelled || n === selected || n.circle.classList.contains("match"));
      n.label.classList.toggle("hidden", !showLabel);
      if (n.on) shownNodes++;
    });
    document.body.setAttribute("data-rendered", String(shownNodes));
    document.body.setAttribute("data-edges", String(shownEdges));
    canvas.setAttribute("data-rendered", String(shownNodes));
    document.getElementById("summary").textContent = shownNodes + " of " + nodes.length + " nodes, " +
      shownEdges + " of " + edges.length + " edges" + (day ? ", as of " + day : ", all dates");
  }

  // --- pan and zoom --------------------------------------------------------------------
  function apply() { canvas.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" ")); }
  function fit() {
    var xs = nodes.map(function (n) { return n.x; }), ys = nodes.map(function (n) { return n.y; });
    if (!xs.length) { xs = [0, 100]; ys = [0, 100]; }
    var x0 = Math.min.apply(null, xs) - 40, x1 = Math.max.apply(null, xs) + 120;
    var y0 = Math.min.apply(null, ys) - 40, y1 = Math.max.apply(null, ys) + 40;
    var box = canvas.getBoundingClientRect(), aspect = (box.width || 800) / (box.height || 600);
    var w = Math.max(x1 - x0, (y1 - y0) * aspect), h = w / aspect;
    view = { x: (x0 + x1 - w) / 2, y: (y0 + y1 - h) / 2, w: w, h: h };
    apply();
  }
  function zoom(factor, cx, cy) {
    cx = cx === undefined ? view.x + view.w / 2 : cx;
    cy = cy === undefined ? view.y + view.h / 2 : cy;
    view = { x: cx - (cx - view.x) * factor, y: cy - (cy - view.y) * factor, w: view.w * factor, h: view.h * factor };
    apply();
  }
  function centre(n) {
    view.x = n.x - view.w / 2; view.y = n.y - view.h / 2; apply();
  }
  function toGraph(ev) {
    var box = canvas.getBoundingClientRect();
    return { x: view.x + (ev.clientX - box.left) / box.width * view.w,
             y: view.y + (ev.clientY - box.top) / box.height * view.h };
  }
  canvas.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var p = toGraph(ev);
    zoom(ev.deltaY > 0 ? 1.15 : 1 / 1.15, p.x, p.y);
  }, { passive: false });
  var drag = null;
  canvas.addEventListener("pointerdown", function (ev) {
    drag = { x: ev.clientX, y: ev.clientY, view: { x: view.x, y: view.y }, moved: false };
    canvas.classList.add("dragging");
  });
  window.addEventListener("pointermove", function (ev) {
    if (!drag) return;
    var box = canvas.getBoundingClientRect();
    var dx = (ev.clientX - drag.x) / box.width * view.w, dy = (ev.clientY - drag.y) / box.height * view.h;
    if (Math.abs(ev.clientX - drag.x) + Math.abs(ev.clientY - drag.y) > 3) drag.moved = true;
    view.x = drag.view.x - dx; view.y = drag.view.y - dy; apply();
  });
  window.addEventListener("pointerup", function () { drag = null; canvas.classList.remove("dragging"); });
  document.getElementById("zoom-in").onclick = function () { zoom(1 / 1.4); };
  document.getElementById("zoom-out").onclick = function () { zoom(1.4); };
  document.getElementById("zoom-fit").onclick = fit;

  // --- details of a node: facts, relations, sources ------------------------------------
  var HIDDEN_FACTS = { x: 1, y: 1, colour: 1, index: 1, degree: 1, links: 1, r: 1, circle: 1, label: 1,
    labelled: 1, on: 1, attrs: 1 };
  function show(value) {
    if (Array.isArray(value)) return value.map(show).join(" | ");
    if (value && typeof value === "object") {
      return Object.keys(value).filter(function (k) { return value[k] !== null && value[k] !== ""; })
        .map(function (k) { return k + " " + value[k]; }).join(", ");
    }
    return String(value);
  }
  function nodeLink(n, parent) {
    var a = text("a", n.caption + (n.caption !== n.name ? " " + n.name : ""), parent, { "class": "node-link" });
    a.addEventListener("click", function () { select(n, true); });
    return a;
  }
  function select(n, move) {
    if (selected) selected.circle.classList.remove("selected");
    selected = n;
    n.circle.classList.add("selected");
    edges.forEach(function (e) { e.line.classList.toggle("near", e.from === n || e.to === n); });
    if (move) centre(n);
    var box = document.getElementById("details");
    box.textContent = "";
    text("h2", n.name, box);
    var kind = el("p", {}, box);
    el("span", { "class": "chip", style: "background:" + n.colour }, kind);
    kind.appendChild(document.createTextNode((data.kind_names[n.kind] || n.kind || "other") + " \u00b7 " + n.id));
    var table = el("table", {}, box);
    Object.keys(n.attrs).sort().forEach(function (k) {
      var row = el("tr", {}, table);
      text("th", k, row);
      text("td", show(n.attrs[k]), row);
    });
    text("h2", "Relations (" + n.links.length + ")", box);
    var list = el("ul", {}, box), keys = {};
    String(n.attrs.source || "").split(";").forEach(function (k) { if (k) keys[k] = true; });
    n.links.slice().sort(function (a, b) { return a.relation < b.relation ? -1 : a.relation > b.relation ? 1 : 0; })
      .forEach(function (e) {
        var li = el("li", e.on ? {} : { "class": "out-of-date" }, list);
        var other = e.from === n ? e.to : e.from;
        li.appendChild(document.createTextNode(e.relation + (e.from === n ? " \u2192 " : " \u2190 ")));
        nodeLink(other, li);
        var facts = Object.keys(e.attrs).filter(function (k) { return k !== "relation" && k !== "source"; })
          .map(function (k) { return k + " " + show(e.attrs[k]); });
        if (e.attrs.source) facts.push("source " + e.attrs.source);
        li.appendChild(document.createTextNode(facts.length ? " (" + facts.join("; ") + ")" : ""));
        String(e.attrs.source || "").split(";").forEach(function (k) { if (k) keys[k] = true; });
      });
    text("h2", "Sources", box);
    var sources = el("ul", {}, box);
    Object.keys(keys).sort().forEach(function (k) {
      var s = data.sources[k] || {}, li = el("li", {}, sources);
      text("b", k, li);
      li.appendChild(document.createTextNode(": " + [s.title, s.publisher, s.date].filter(Boolean).join(", ") + " "));
      if (/^https?:\/\//.test(s.url || "")) text("a", "link", li, { href: s.url, target: "_blank", rel: "noopener" });
    });
    visible();
  }

  // --- search ------------------------------------------------------------------------
  function search(query) {
    var q = query.trim().toLowerCase(), list = document.getElementById("matches"), found = [];
    list.textContent = "";
    nodes.forEach(function (n) {
      var hay = [n.name, n.code, n.caption, n.attrs.label].concat(n.attrs.alt_labels || []).join(" \u0001 ").toLowerCase();
      var hit = q.length > 0 && hay.indexOf(q) >= 0;
      n.circle.classList.toggle("match", hit);
      if (hit) found.push(n);
    });
    found.sort(function (a, b) { return (b.code.toLowerCase() === q) - (a.code.toLowerCase() === q) || b.degree - a.degree; });
    found.slice(0, 30).forEach(function (n) {
      var li = text("li", n.caption + (n.caption !== n.name ? " \u2014 " + n.name : ""), list);
      li.addEventListener("click", function () { select(n, true); });
    });
    if (found.length > 30) text("li", "\u2026 and " + (found.length - 30) + " more", list, { "class": "note" });
    visible();
    return found;
  }
  var searchBox = document.getElementById("search");
  searchBox.addEventListener("input", function () { search(searchBox.value); });
  searchBox.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { var found = search(searchBox.value); if (found.length) select(found[0], true); }
  });

  // --- date ----------------------------------------------------------------------------
  var useDate = document.getElementById("use-date"), dateBox = document.getElementById("date");
  var slider = document.getElementById("slider");
  var first = data.dates.min ? Date.parse(data.dates.min) : null, last = data.dates.max ? Date.parse(data.dates.max) : null;
  var DAY = 86400000;
  function setDay(value) {
    day = value || null;
    useDate.checked = !!day;
    if (day) {
      dateBox.value = day;
      if (first !== null) slider.value = String(Math.round((Date.parse(day) - first) / DAY));
    }
    visible();
    gap();
    if (selected) select(selected, false);
  }
  // The periods in which the view's relation holds (memberships are snapshots, with gaps between).
  function gap() {
    var box = document.getElementById("gap");
    var held = !day || !data.periods.length || data.periods.some(function (p) {
      return (!p.from || p.from <= day) && (!p.until || day < p.until);
    });
    box.classList.toggle("hidden", held);
    box.textContent = held ? "" : "No " + data.relation + " held on " + day + ": choose a date in one of the periods above.";
  }
  if (data.periods.length) {
    var periodsNote = document.getElementById("periods-note"), periodList = document.getElementById("periods");
    periodsNote.classList.remove("hidden");
    periodsNote.textContent = "The " + data.relation + "s of this view hold (click to go there):";
    data.periods.forEach(function (p) {
      var button = el("button", { type: "button", "data-date": p.from || data.dates.min }, el("li", {}, periodList));
      button.textContent = p.text;
      button.addEventListener("click", function () { setDay(p.from || data.dates.min); });
    });
  }
  if (first !== null) {
    slider.max = String(Math.round((last - first) / DAY));
    dateBox.min = data.dates.min; dateBox.max = data.dates.max;
    document.getElementById("date-range").textContent = "Dated facts run from " + data.dates.min + " to " +
      data.dates.max + ". Partnerships hold from their start until their end, memberships over their " +
      "interval, deployments and other dated facts from their date on; undated facts always.";
  } else {
    document.getElementById("time").classList.add("hidden");
  }
  useDate.addEventListener("change", function () { setDay(useDate.checked ? (dateBox.value || data.dates.max) : null); });
  dateBox.addEventListener("change", function () { if (dateBox.value) setDay(dateBox.value); });
  slider.addEventListener("input", function () {
    setDay(new Date(first + Number(slider.value) * DAY).toISOString().slice(0, 10));
  });

  // --- legend --------------------------------------------------------------------------
  function legend() {
    var kinds = document.getElementById("kinds");
    data.legend.forEach(function (k) {
      var li = el("li", { title: "hide or show " + k.name }, kinds);
      el("span", { "class": "chip", style: "background:" + k.colour }, li);
      li.appendChild(document.createTextNode(k.name + " (" + k.count + ")"));
      li.addEventListener("click", function () {
        hiddenKinds[k.kind] = !hiddenKinds[k.kind];
        li.classList.toggle("off", !!hiddenKinds[k.kind]);
        visible();
      });
    });
    if (nodes.some(function (n) { return n.exemplar; })) {
      var ring = el("li", {}, kinds);
      el("span", { "class": "chip", style: "background:#fff;border:3px solid #000" }, ring);
      ring.appendChild(document.createTextNode("exemplar (black ring)"));
    }
    var lines = document.getElementById("edge-kinds");
    data.edge_legend.forEach(function (k) {
      var li = el("li", {}, lines);
      el("span", { "class": "line", style: "border-top-style:" + k.dash + ";border-top-color:" + k.colour }, li);
      li.appendChild(document.createTextNode(k.name + " (" + k.count + ")"));
    });
  }

  draw();
  legend();
  var hash = {};
  location.hash.replace(/^#/, "").split("&").forEach(function (part) {
    var i = part.indexOf("=");
    if (i > 0) hash[decodeURIComponent(part.slice(0, i))] = decodeURIComponent(part.slice(i + 1));
  });
  setDay(hash.date || data.as_of || null);
  if (hash.q) { searchBox.value = hash.q; search(hash.q); }
  if (hash.select) {
    var wanted = hash.select.toLowerCase();
    var hit = nodes.filter(function (n) { return n.id.toLowerCase() === wanted || n.code.toLowerCase() === wanted; })[0];
    if (hit) select(hit, true);
  }
  visible();
  document.body.setAttribute("data-ready", "true");
})();
