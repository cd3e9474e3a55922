/* Accessibility fixes for markup the site does not write itself (loaded on every page).
 * - Vega-Embed's chart menu is a <details><summary> with only an icon: give it a name.
 * - The theme's search field names itself "Søg" while it shows "Søg Ctrl+K": let the visible
 *   text be its accessible name (WCAG 2.5.3, label in name). It exists only with JavaScript.
 * - The theme's colour-mode button is named in English and its icons carry titles: a Danish
 *   name, icons hidden from assistive technology. */
(function () {
  "use strict";
  var MENU = "Diagrammenu: gem diagrammet som SVG eller PNG";
  var MODE = "Farvetilstand (lys, mørk eller systemets)";
  function fix(root) {
    root.querySelectorAll(".vega-embed details > summary:not([aria-label])").forEach(function (s) {
      s.setAttribute("aria-label", MENU);
      s.setAttribute("title", MENU);
    });
    root.querySelectorAll("button.search-button-field[aria-label]").forEach(function (b) {
      b.removeAttribute("aria-label");
    });
    root.querySelectorAll(".theme-switch-button").forEach(function (b) {
      if (b.getAttribute("aria-label") !== MODE) {
        b.setAttribute("aria-label", MODE);
        b.setAttribute("data-bs-title", MODE);
      }
      b.querySelectorAll(".theme-switch:not([aria-hidden])").forEach(function (icon) {
        icon.setAttribute("aria-hidden", "true");
      });
      b.querySelectorAll(".theme-switch[title], .theme-switch title").forEach(function (t) {
        if (t.tagName.toLowerCase() === "title") { t.remove(); } else { t.removeAttribute("title"); }
      });
    });
  }
  function start() {
    fix(document);
    new MutationObserver(function () { fix(document); })
      .observe(document.body, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

/* Charts that fit their column, in Danish, light or dark (wraps the offline Vega-Embed).
 *
 * Every chart of the book is drawn by Altair's inline script calling the global `vegaEmbed`.
 * This wrapper fits the spec to the width of the chart's column before drawing: the plot width
 * (Vega-Lite's fit-x autosize for single and layered charts, an explicit width per panel for
 * stacked ones), titles re-wrapped to the width, long axis labels wrapped onto several lines.
 * It redraws when the column's width changes (phone turned, window resized) and when the
 * colour mode changes (charts themed for dark instead of a white card). The export menu is
 * Danish and its files are named after the figure (udbredelse-definition.svg). */
(function () {
  "use strict";
  var original = window.vegaEmbed;
  if (typeof original !== "function") { return; }
  var I18N = {
    CLICK_TO_VIEW_ACTIONS: "Klik for at se handlinger",
    COMPILED_ACTION: "Vis kompileret Vega",
    EDITOR_ACTION: "Åbn i Vega Editor",
    PNG_ACTION: "Gem som PNG",
    SOURCE_ACTION: "Vis kilde",
    SVG_ACTION: "Gem som SVG"
  };
  var DARK = {
    "#ffffff": "#1b1d20", "#222222": "#e4e4e4", "#111111": "#f2f2f2", "#444444": "#cfcfcf",
    "#777777": "#a8a8a8", "#dddddd": "#3f444a", "#0072B2": "#56B4E9", "#c0392b": "#ff7b6b",
    "#000000": "#f2f2f2"
  };
  var charts = [];
  var pending = 0;

  function isDark() { return document.documentElement.dataset.theme === "dark"; }

  function textWidth(text, size) { return String(text).length * size * 0.56; }

  function wrapText(text, maxChars) {
    // a number stays with its unit ("61 pct.") and its sign ("p < 0,001", "n = 1.537")
    var glued = String(text).replace(/(\d) (pct\.|%|procentpoint)/g, "$1\u00a0$2")
      .replace(/\b([pn]) ([<=>]) /g, "$1\u00a0$2\u00a0");
    var words = glued.split(/[ \t\n]+/), lines = [], line = "";
    words.forEach(function (w) {
      if (line && (line + " " + w).length > maxChars) { lines.push(line); line = w; }
      else { line = line ? line + " " + w : w; }
    });
    if (line) { lines.push(line); }
    return lines;
  }

  function rewrapTitle(title, width) {
    if (!title || typeof title !== "object") { return title; }
    var t = Object.assign({}, title);
    var join = function (x) { return Array.isArray(x) ? x.join(" ") : x; };
    if (t.text !== undefined && width < 700) {
      t.text = wrapText(join(t.text), Math.max(18, Math.floor(width / (16 * 0.62))));
    }
    if (t.subtitle !== undefined && width < 700) {
      var subs = Array.isArray(t.subtitle) ? t.subtitle : [t.subtitle];
      var max = Math.max(24, Math.floor(width / (13 * 0.55)));
      t.subtitle = [].concat.apply([], subs.map(function (s) { return wrapText(s, max); }));
    }
    return t;
  }

  // The values shown as y-axis labels of a unit or layer spec (nominal y field).
  function yLabels(spec, datasets) {
    var out = [];
    var units = spec.layer ? spec.layer.concat([spec]) : [spec];
    units.forEach(function (u) {
      var enc = u.encoding || {};
      var y = enc.y;
      if (!y || !y.field || (y.type !== "nominal" && y.type !== "ordinal")) { return; }
      var data = u.data || spec.data;
      var rows = data && data.name && datasets[data.name] ? datasets[data.name]
        : (data && data.values) || [];
      rows.forEach(function (r) { if (r[y.field] !== undefined) { out.push(String(r[y.field])); } });
    });
    return out;
  }

  function fitLabels(spec, datasets, maxWidth) {
    var labels = yLabels(spec, datasets);
    if (!labels.length) { return 0; }
    var longest = Math.max.apply(null, labels.map(function (l) { return textWidth(l, 13); }));
    if (longest <= maxWidth) { return longest; }
    var maxChars = Math.max(10, Math.floor(maxWidth / (13 * 0.56)));
    var map = {};
    labels.forEach(function (l) { if (l.length > maxChars) { map[l] = wrapText(l, maxChars); } });
    var expr = "(" + JSON.stringify(map) + ")[datum.label] || datum.label";
    var lines = 1;
    Object.keys(map).forEach(function (k) { lines = Math.max(lines, map[k].length); });
    var step = lines * 15 + 6;  // every wrapped label gets a band tall enough for its lines
    if (spec.height && typeof spec.height === "object" && spec.height.step < step) {
      spec.height = { step: step };
    }
    // Vega writes a label's further lines below its first, which sits level with the mark:
    // each wrapped label moves up by half its extra lines, so the block is level with it
    var raise = {};
    Object.keys(map).forEach(function (k) { raise[k] = -(map[k].length - 1) * 7.5; });
    var offset = { expr: "(" + JSON.stringify(raise) + ")[datum.value] || 0" };
    var set = function (u) {
      if (u.encoding && u.encoding.y && u.encoding.y.field) {
        u.encoding.y.axis = Object.assign({}, u.encoding.y.axis || {},
          { labelExpr: expr, labelLimit: maxWidth + 20, labelOffset: offset });
      }
    };
    (spec.layer || []).forEach(set);
    set(spec);
    return maxWidth;
  }

  // Phones: a category's label on its own line above its mark, the plot at full width.
  //
  // Where the column is narrower than LABELS_ABOVE_BELOW px, labels beside the marks would take
  // half the width (and wrap into tall bands). Instead each category's band holds, from the
  // top: its label (wrapped to the full width), a line for words written above the marks (the
  // report's level, "Rapporten: 43 pct."), then the dot or bar with its interval. The y axis
  // goes; a text layer draws the labels at the plot's left edge. Same data, same layers.
  var LABELS_ABOVE_BELOW = 520;
  var LABEL_FONT = 13, LABEL_LINE = 16, ROW_GAP = 12;

  function categoryUnit(units) {
    for (var i = 0; i < units.length; i++) {
      var y = units[i].encoding && units[i].encoding.y;
      if (y && y.field && (y.type === "nominal" || y.type === "ordinal")) { return units[i]; }
    }
    return null;
  }

  function distinct(spec, datasets, unit, field) {
    var data = unit.data || spec.data;
    var rows = data && data.name && datasets[data.name] ? datasets[data.name]
      : (data && data.values) || [];
    var seen = {};
    rows.forEach(function (r) { if (r[field] !== undefined) { seen[String(r[field])] = 1; } });
    return Object.keys(seen);
  }

  function labelsAbove(spec, datasets, width, k) {
    if (!spec.layer) {
      if (!spec.mark || !spec.encoding) { return false; }
      var unit = {};
      ["mark", "encoding", "transform", "params"].forEach(function (k) {
        if (spec[k] !== undefined) { unit[k] = spec[k]; delete spec[k]; }
      });
      spec.layer = [unit];
    }
    var first = categoryUnit(spec.layer);
    if (!first) { return false; }
    var y = first.encoding.y, field = y.field;
    // a label on its own line may use the width, measured wide (DejaVu Sans runs wide)
    var maxChars = Math.max(12, Math.floor((width - 8) / (LABEL_FONT * 0.62)));
    var map = {}, lines = 1, categories = distinct(spec, datasets, first, field);
    var wrapped = categories.map(function (l) { return wrapText(l, maxChars); });
    wrapped.forEach(function (w) { lines = Math.max(lines, w.length); });
    // Every label ends on the line just above its mark: shorter ones start with empty lines
    // (Vega stacks a multi-line text downwards from its anchor whatever the baseline).
    categories.forEach(function (l, i) {
      var pad = lines - wrapped[i].length;
      if (pad || wrapped[i].length > 1) {
        map[l] = new Array(pad + 1).join("\n") + wrapped[i].join("\n");
      }
    });
    var offset = first.encoding.yOffset;
    var groups = offset && offset.field ? distinct(spec, datasets, first, offset.field).length : 0;
    var wordsAbove = spec.layer.some(function (u) {
      return u.mark && typeof u.mark === "object" && u.mark.type === "text" && u.mark.dy < 0;
    });
    var labelH = lines * LABEL_LINE, wordsH = wordsAbove ? 14 : 0;
    var markH = groups ? groups * 14 + 4 : 20;
    var step = labelH + wordsH + markH + ROW_GAP;
    var markTop = ROW_GAP / 2 + labelH + wordsH;
    var band = { paddingInner: 0, paddingOuter: 0 };
    spec.layer.forEach(function (u) {
      var e = u.encoding;
      if (!e || !e.y || e.y.field !== field) { return; }
      e.y = Object.assign({}, e.y, { axis: null, scale: Object.assign({}, e.y.scale || {}, band) });
      var m = typeof u.mark === "string" ? { type: u.mark } : Object.assign({}, u.mark);
      if (e.yOffset) {
        e.yOffset = Object.assign({}, e.yOffset, {
          scale: Object.assign({}, e.yOffset.scale || {}, { range: [markTop, markTop + markH] })
        });
      } else {
        m.yOffset = markTop + markH / 2 - step / 2;  // from the band's centre to the mark row's
        if (m.type === "bar") { m.size = markH - 4; }
        if (m.type === "tick") { m.size = markH + 4; }
      }
      u.mark = m;
    });
    var text = { field: "_leduLabel", type: "nominal" };
    var label = {
      // its marks' class in the SVG: ledu_category_labels_0_marks; one name per panel (Vega-Lite
      // gives two layers of one name one data flow: a panel would show another's labels)
      name: "ledu_category_labels_" + (k || 0),
      mark: {
        type: "text", align: "left", baseline: "top", lineBreak: "\n", fontSize: LABEL_FONT,
        lineHeight: LABEL_LINE, color: "#222222", yOffset: ROW_GAP / 2 - step / 2,
        aria: false
      },
      transform: [{ aggregate: [{ op: "count", as: "_leduRows" }], groupby: [field] }, {
        calculate: "(" + JSON.stringify(map) + ")[datum[" + JSON.stringify(field) + "]] || " +
          "datum[" + JSON.stringify(field) + "]",
        as: "_leduLabel"
      }],
      encoding: {
        y: { field: field, type: y.type, sort: y.sort, axis: null, scale: band },
        x: { value: 0 },
        text: text
      }
    };
    if (first.data) { label.data = first.data; }
    // Under each label, the same text stroked in the background colour: grid lines and the
    // reference line pass behind the label instead of through its letters.
    var halo = JSON.parse(JSON.stringify(label));
    halo.name = "ledu_category_label_halos_" + (k || 0);
    Object.assign(halo.mark, { color: "#ffffff", stroke: "#ffffff", strokeWidth: 4,
      strokeJoin: "round" });
    spec.layer.push(halo, label);
    // a fixed height (not a step: with yOffset groups a step would size each group's sub-band)
    spec.height = step * categories.length;
    return true;
  }

  // Fewer x ticks where the plot is narrow; never two labels on top of each other.
  function thinXAxes(node, count, chars) {
    if (!node || typeof node !== "object") { return; }
    if (Array.isArray(node)) { node.forEach(function (n) { thinXAxes(n, count, chars); }); return; }
    var x = node.encoding && node.encoding.x;
    var color = node.encoding && node.encoding.color;
    if (chars && color && color.legend && typeof color.legend === "object") {
      color.legend = Object.assign({}, color.legend, { columns: 1 });
    }
    if (x && typeof x === "object" && x.value === undefined) {  // a fixed position has no axis
      if (chars && typeof x.title === "string" && x.title.length > chars) {
        x.title = wrapText(x.title, chars);
      }
      if (chars && x.axis && typeof x.axis.title === "string" && x.axis.title.length > chars) {
        x.axis = Object.assign({}, x.axis, { title: wrapText(x.axis.title, chars) });
      }
      var axis = x.axis === null ? null : Object.assign({}, x.axis || {});
      if (axis) {
        axis.labelOverlap = axis.labelOverlap || true;
        if (count && axis.tickCount) { axis.tickCount = Math.min(axis.tickCount, count); }
        if (count === 3 && Array.isArray(axis.values) && axis.values.length > 5) {
          var vals = axis.values.slice().sort(function (a, b) { return a - b; });
          var has1 = vals.indexOf(1) >= 0, kept = [];
          vals.forEach(function (v) {
            if (v === 1 || (has1 && Math.max(v, 1) / Math.min(v, 1) < 1.45)) { return; }
            if (!kept.length || v / kept[kept.length - 1] >= 1.45) { kept.push(v); }
          });
          if (has1) { kept.push(1); }
          axis.values = kept.sort(function (a, b) { return a - b; });
        }
        x.axis = axis;
      }
    }
    Object.keys(node).forEach(function (k) {
      if (k !== "encoding" && k !== "datasets") { thinXAxes(node[k], count, chars); }
    });
  }

  function fit(spec, width) {
    var s = JSON.parse(JSON.stringify(spec));
    var datasets = s.datasets || {};
    var phone = width < 560;
    s.title = rewrapTitle(s.title, width);
    var above = width < LABELS_ABOVE_BELOW;
    var labelMax = Math.floor(width * (phone ? 0.42 : 0.4));
    if (s.vconcat || s.hconcat) {
      var panels = s.vconcat || s.hconcat;
      var used = 0;
      panels.forEach(function (p, k) {
        if (above && s.vconcat && labelsAbove(p, datasets, width - 60, k)) { return; }
        used = Math.max(used, fitLabels(p, datasets, labelMax));
      });
      panels.forEach(function (p) {
        p.title = rewrapTitle(p.title, width);
        p.width = Math.max(80, Math.floor((s.hconcat ? width / panels.length : width) - used - 70));
      });
    } else {
      if (!(above && labelsAbove(s, datasets, width))) { fitLabels(s, datasets, labelMax); }
      s.width = Math.max(120, Math.floor(width));
      s.autosize = { type: "fit-x", contains: "padding" };
    }
    if (above) { labelMax = 0; }
    // axis titles and legends wrap to the plot's width (about 7 px per character)
    var chars = width < 700 ? Math.max(16, Math.floor((width - labelMax) / 7.5)) : null;
    thinXAxes(s, phone ? 3 : (width < 900 ? 5 : null), chars);
    return s;
  }

  function themed(spec) {
    if (!isDark()) { return spec; }
    var text = JSON.stringify(spec).replace(/"#[0-9a-fA-F]{6}"/g, function (m) {
      var key = m.slice(1, -1);
      var hit = DARK[key] || DARK[key.toLowerCase()] || DARK[key.toUpperCase()];
      return hit ? JSON.stringify(hit) : m;
    });
    var s = JSON.parse(text);
    s.config = s.config || {};
    s.config.background = DARK["#ffffff"];
    return s;
  }

  function fileName(el) {
    var fig = el.closest("figure");
    var id = (fig && fig.id) || el.id || "figur";
    return id.replace(/^fig-/, "").replace(/^altair-viz-/, "");
  }

  function columnWidth(el) {
    var box = el.closest(".cell_output, figure, .output, article") || el.parentElement;
    var w = box.getBoundingClientRect().width;
    return Math.max(200, Math.floor(w - 8));
  }

  // A chart is a Tab stop: its drawing (Vega's role="graphics-document", named with the values
  // by its text alternative) takes focus, described by the figure's caption, so a keyboard
  // reader reaches the values as a mouse reader does.
  function focusable(el) {
    var doc = el.querySelector("[role='graphics-document']");
    if (!doc) { return; }
    doc.setAttribute("tabindex", "0");
    var fig = el.closest("figure");
    var caption = fig && fig.querySelector("figcaption");
    if (!caption && fig && document.readyState === "loading") {  // caption not parsed yet
      document.addEventListener("DOMContentLoaded", function () { focusable(el); });
    }
    if (caption) {
      if (!caption.id) { caption.id = (fig.id || el.id) + "-caption"; }
      doc.setAttribute("aria-describedby", caption.id);
    }
  }

  function draw(entry) {
    var width = columnWidth(entry.el);
    var mode = isDark() ? "d" : "l";
    if (entry.key !== null && entry.mode === mode && Math.abs(entry.width - width) < 24) {
      return Promise.resolve(entry.result);  // a scroll bar coming and going is no reason
    }
    var key = width + mode;
    entry.mode = mode;
    entry.key = key;
    entry.width = width;
    if (entry.result && entry.result.finalize) { entry.result.finalize(); }
    var opt = Object.assign({}, entry.opt, {
      i18n: I18N,
      downloadFileName: fileName(entry.el)
    });
    pending += 1;
    return original(entry.el, themed(fit(entry.spec, width)), opt).then(function (result) {
      entry.result = result;
      focusable(entry.el);
      return result;
    }).finally(function () { pending -= 1; });
  }

  var timer = null;
  function refresh() {
    charts.forEach(function (c) { draw(c); });
  }
  function later() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(refresh, 120);
  }

  function wrapped(el, spec, opt) {
    if (typeof el === "string") { el = document.querySelector(el); }
    var entry = { el: el, spec: spec, opt: opt || {}, key: null, result: null };
    charts.push(entry);
    // Redraw when the column itself changes width (a sidebar sliding in changes it without a
    // window resize event).
    if (window.ResizeObserver) {
      var box = el.closest(".cell_output, figure, .output, article") || el.parentElement;
      new ResizeObserver(later).observe(box);
    }
    return draw(entry);
  }
  Object.keys(original).forEach(function (k) { wrapped[k] = original[k]; });
  window.vegaEmbed = wrapped;
  window.leduCharts = {
    refresh: function () { charts.forEach(function (c) { c.key = null; }); refresh(); },
    idle: function () {
      return pending === 0 && charts.every(function (c) {
        return c.key !== null && c.mode === (isDark() ? "d" : "l") &&
          Math.abs(c.width - columnWidth(c.el)) < 24;
      });
    },
    fit: fit,
    state: function () {
      return charts.map(function (c) {
        return { key: c.key, mode: c.mode, width: c.width, now: columnWidth(c.el), busy: pending };
      });
    }
  };
  window.addEventListener("resize", later);
  new MutationObserver(function () { later(); })
    .observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
})();

/* Tables: numbers right-aligned and never broken from their unit, a visible scroll box (first
 * column kept in view) where a table is wider than the column, sortable columns where a table
 * has more than 8 rows. Runs once the page is parsed. */
(function () {
  "use strict";
  var NUMBER = /^(?:[−\-–]?\s?[\d.,]+(?:\s?(?:pct\.|%|point|procentpoint))?(?:\s?[–\-]\s?[\d.,]+(?:\s?(?:pct\.|%))?)?|p\s?[<=>]\s?[\d,]+|[\d.]+\s?\/\s?[\d.]+|[\d.,]+\s+til\s+[−\-]?[\d.,]+)$/;

  function sortValue(text) {
    var t = text.replace(/\u00a0/g, " ").trim();
    var m = t.match(/^p\s?[<=>]\s?([\d,]+)/);
    if (m) { return parseFloat(m[1].replace(",", ".")); }
    m = t.replace(/[−–]/g, "-").match(/^-?[\d.]+(?:,\d+)?/);
    if (m) { return parseFloat(m[0].replace(/\./g, "").replace(",", ".")); }
    return null;
  }

  function makeSortable(table) {
    var body = table.tBodies[0];
    var head = table.tHead;
    if (!body || !head || body.rows.length <= 8) { return; }
    var cells = head.rows[head.rows.length - 1].cells;
    Array.prototype.forEach.call(cells, function (th, col) {
      var label = th.textContent.trim();
      if (!label) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "ledu-sort";
      button.innerHTML = th.innerHTML;
      button.setAttribute("aria-label", "Sortér efter " + label);
      th.innerHTML = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(cells, function (c) { c.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col] ? a.cells[col].textContent : "";
          var y = b.cells[col] ? b.cells[col].textContent : "";
          var nx = sortValue(x), ny = sortValue(y), r;
          if (nx !== null && ny !== null) { r = nx - ny; }
          else if (nx !== null) { r = -1; } else if (ny !== null) { r = 1; }
          else { r = x.localeCompare(y, "da"); }
          return asc ? r : -r;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  }

  function prepare(table) {
    if (table.dataset.leduReady) { return; }
    table.dataset.leduReady = "1";
    var numericCols = {};
    var rows = table.tBodies.length ? table.tBodies[0].rows : [];
    Array.prototype.forEach.call(rows, function (row) {
      Array.prototype.forEach.call(row.cells, function (cell, i) {
        var text = cell.textContent.replace(/\u00a0/g, " ").trim();
        if (text && NUMBER.test(text)) {
          cell.classList.add("ledu-num");
          numericCols[i] = (numericCols[i] || 0) + 1;
        }
      });
    });
    if (table.tHead) {
      var last = table.tHead.rows[table.tHead.rows.length - 1];
      Array.prototype.forEach.call(last.cells, function (th, i) {
        if (numericCols[i] && numericCols[i] >= rows.length / 2) { th.classList.add("ledu-num"); }
      });
    }
    var parent = table.parentElement;
    if (!parent.classList.contains("ledu-table-wrap")) {
      var wrap = document.createElement("div");
      wrap.className = "ledu-table-wrap";
      parent.insertBefore(wrap, table);
      wrap.appendChild(table);
      parent = wrap;
    }
    var caption = table.querySelector("caption");
    if (caption && !caption.classList.contains("ledu-caption-moved")) {
      // shown above the scroll box, so that it wraps to the column instead of scrolling away
      var shown = document.createElement("p");
      shown.className = "ledu-table-caption";
      shown.setAttribute("aria-hidden", "true");
      shown.textContent = caption.textContent.trim();
      parent.parentElement.insertBefore(shown, parent);
      caption.classList.add("ledu-caption-moved");
    }
    // Always reachable by keyboard: whether the box scrolls depends on the width.
    parent.setAttribute("tabindex", "0");
    parent.setAttribute("role", "region");
    parent.setAttribute("aria-label", "Tabel: " + (caption ? caption.textContent.trim() : ""));
    var update = function () {
      parent.classList.toggle("ledu-scrolls", parent.scrollWidth > parent.clientWidth + 1);
    };
    update();
    if (window.ResizeObserver) { new ResizeObserver(update).observe(parent); }
    else { window.addEventListener("resize", update); }
    makeSortable(table);
  }

  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) { return; }
    var d = target.tagName === "DETAILS" ? target : target.querySelector(":scope > details");
    for (var n = d || target; n; n = n.parentElement) {
      if (n.tagName === "DETAILS") { n.open = true; }
    }
  }

  function start() {
    document.querySelectorAll("article table").forEach(prepare);
    openTarget();
    window.addEventListener("hashchange", openTarget);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

/* The search page opened as a file (file://): the browser lets Sphinx's search find pages but
 * not fetch their text for excerpts. Say so, and how to get full search. */
(function () {
  "use strict";
  if (location.protocol !== "file:") { return; }
  function show() {
    var form = document.querySelector("#search-documentation, .bd-search-container, #search-results");
    if (!form || document.querySelector(".ledu-file-note")) { return; }
    var note = document.createElement("div");
    note.className = "ledu-file-note admonition note";
    note.innerHTML = '<p class="admonition-title">Søgning i en lokal kopi</p><p>Du har åbnet ' +
      "bogen direkte som filer. Søgningen finder siderne, men browseren tillader ikke, at den " +
      "viser uddrag fra dem. Start den medfølgende lokale server for fuld søgning: " +
      "<code>make preview</code> i projektets mappe, eller <code>python3 -m http.server -d " +
      "_build/html</code>, og åbn den adresse, den skriver.</p>";
    var article = document.querySelector("article") || document.body;
    article.insertBefore(note, article.firstChild);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", show); }
  else { show(); }
})();

/* The definition switch of a chapter published per definition (samlet / smal / bred). The
 * chapter writes it as plain links in an output cell (without script they open the other page
 * at its top). Here it moves into the page's toolbar, the theme's sticky article header, right
 * after the navigation button: in view while the reader scrolls, and among the first Tab stops
 * after the skip link. Switching opens the other page at the section being read: by its id
 * where the other page has it, else by its position (?afsnit=N, resolved on arrival); the
 * page's own top section (whose id names the definition) opens the other page at its top. */
(function () {
  "use strict";
  function sections() {
    return Array.prototype.slice.call(document.querySelectorAll("article.bd-article section[id]"));
  }

  function place(nav) {
    var bar = document.querySelector(".bd-header-article .header-article-items");
    var head = document.querySelector(".bd-header-article");
    if (!bar || !head) { return; }
    var start = bar.querySelector(".header-article-items__start");
    bar.insertBefore(nav, start ? start.nextSibling : bar.firstChild);
    nav.classList.add("ledu-switch-bar");
    document.documentElement.classList.add("ledu-has-switch");
    var below = function () {
      document.documentElement.style.setProperty(
        "--ledu-switch-below", (head.getBoundingClientRect().height + 8) + "px");
    };
    below();
    window.addEventListener("resize", below);
  }

  function sectionRead(nav) {
    // the last section whose heading is above the upper quarter below the toolbar
    var edge = nav.closest(".bd-header-article") || nav;
    var top = edge.getBoundingClientRect().bottom;
    var line = top + Math.max(48, (window.innerHeight - top) / 4);
    var list = sections(), at = 0;
    list.forEach(function (s, i) { if (s.getBoundingClientRect().top <= line) { at = i; } });
    return { index: at, id: list[at] ? list[at].id : "" };
  }

  function arrive() {
    var m = /[?&]afsnit=(\d+)/.exec(location.search);
    if (!m) { return; }
    var index = Number(m[1]);
    var id = decodeURIComponent(location.hash.slice(1));
    var target = (id && document.getElementById(id)) || sections()[index];
    var keep = target && index > 0;
    history.replaceState(history.state, "", location.pathname + (keep ? "#" + target.id : ""));
    if (keep) { target.scrollIntoView(); }
  }

  function start() {
    var nav = document.querySelector("nav.definition-switch");
    if (nav) {
      place(nav);
      nav.querySelectorAll("a").forEach(function (a) {
        a.addEventListener("click", function () {
          var read = sectionRead(nav);
          a.href = a.href.split(/[?#]/)[0] +
            (read.index > 0 ? "?afsnit=" + read.index + "#" + encodeURIComponent(read.id) : "");
        });
      });
    }
    arrive();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); }
  else { start(); }
})();

/* Printing opens the folded sections ("For fagfolk", "Sådan citerer du ..."), then folds them
 * again: for browsers whose print style cannot open a <details> (lederuddannelse.css). */
(function () {
  "use strict";
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.filter.call(
      document.querySelectorAll(".ledu-fold > details"), function (d) { return !d.open; });
    opened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();
