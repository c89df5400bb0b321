// wordnet_lm explorer: a pan/zoom word map with search, cosine neighbours and 3CosAdd analogies.
// Reads its data from the JSON element #explorer-data (written by wordnet_lm.explore.page).
(function () {
  "use strict";
  performance.mark("explorer-start");
  const data = JSON.parse(document.getElementById("explorer-data").textContent);
  performance.mark("explorer-parsed");
  const words = data.words;
  const n = words.length;
  const dim = data.dim;
  const NEIGHBOURS = 10;

  // ------------------------------------------------------------------ decoding
  function base64Bytes(text) {
    const bin = atob(text);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  function halfToFloatTable() {
    const table = new Float32Array(65536);
    for (let h = 0; h < 65536; h++) {
      const sign = h & 0x8000 ? -1 : 1, exp = (h >> 10) & 0x1f, frac = h & 0x3ff;
      let v;
      if (exp === 0) v = frac * Math.pow(2, -24);
      else if (exp === 31) v = frac ? NaN : Infinity;
      else v = (1 + frac / 1024) * Math.pow(2, exp - 15);
      table[h] = sign * v;
    }
    return table;
  }

  // Unit rows (Float32Array n * dim): the page's cosines are dot products of these.
  function decodeUnits() {
    const bytes = base64Bytes(data.vectors);
    const view = new DataView(bytes.buffer);
    const raw = new Float32Array(n * dim);
    const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
    if (data.encoding === "float16") {
      const table = halfToFloatTable();
      if (littleEndian) {
        const halves = new Uint16Array(bytes.buffer, 0, n * dim);
        for (let i = 0; i < n * dim; i++) raw[i] = table[halves[i]];
      } else {
        for (let i = 0; i < n * dim; i++) raw[i] = table[view.getUint16(2 * i, true)];
      }
    } else if (data.encoding === "int8") {
      const bytesSigned = new Int8Array(bytes.buffer, 0, n * dim);
      for (let i = 0; i < n * dim; i++) raw[i] = bytesSigned[i] / 127;
    } else {
      throw new Error("unknown vector encoding " + data.encoding);
    }
    for (let r = 0; r < n; r++) {
      let s = 0;
      for (let j = r * dim; j < (r + 1) * dim; j++) s += raw[j] * raw[j];
      const norm = Math.sqrt(s);
      if (norm > 0) for (let j = r * dim; j < (r + 1) * dim; j++) raw[j] = raw[j] / norm;
    }
    return raw;
  }

  const units = decodeUnits();
  performance.mark("explorer-decoded");
  const coords = (function () {
    const bytes = base64Bytes(data.coords);
    const view = new DataView(bytes.buffer);
    const out = new Float32Array(2 * n);
    for (let i = 0; i < 2 * n; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  })();

  // ------------------------------------------------------------------ words and queries
  const index = new Map();
  const folded = new Map();
  words.forEach(function (w, i) {
    index.set(w, i);
    const f = w.toLowerCase();
    if (!folded.has(f)) folded.set(f, i); // rows are in frequency order: the first variant wins
  });

  // Row of a word: exact, else its most frequent case variant; -1 if unknown.
  function find(word) {
    word = String(word).trim();
    if (index.has(word)) return index.get(word);
    const f = folded.get(word.toLowerCase());
    return f === undefined ? -1 : f;
  }

  function unitQuery(terms) { // terms: [[row, weight], ...] -> unit vector (Float64Array)
    const q = new Float64Array(dim);
    for (const [row, w] of terms) for (let j = 0; j < dim; j++) q[j] += w * units[row * dim + j];
    let s = 0;
    for (let j = 0; j < dim; j++) s += q[j] * q[j];
    const norm = Math.sqrt(s);
    if (norm > 0) for (let j = 0; j < dim; j++) q[j] /= norm;
    return q;
  }

  // The k rows most similar (cosine) to the query, the rows in `exclude` left out, best first.
  function ranked(q, k, exclude) {
    const best = []; // [score, row], sorted descending
    for (let r = 0; r < n; r++) {
      if (exclude.indexOf(r) >= 0) continue;
      let s = 0;
      const base = r * dim;
      for (let j = 0; j < dim; j++) s += units[base + j] * q[j];
      if (best.length < k || s > best[best.length - 1][0]) {
        let at = best.length;
        while (at > 0 && best[at - 1][0] < s) at--;
        best.splice(at, 0, [s, r]);
        if (best.length > k) best.pop();
      }
    }
    return best.map(function (b) { return [words[b[1]], b[0], b[1]]; });
  }

  function neighbours(word, k) {
    const row = typeof word === "number" ? word : find(word);
    if (row < 0) return null;
    return ranked(unitQuery([[row, 1]]), k || NEIGHBOURS, [row]);
  }

  // 3CosAdd: the words closest to unit(b) - unit(a) + unit(c), a, b and c left out.
  function analogy(a, b, c, k) {
    const rows = [find(a), find(b), find(c)];
    const missing = [a, b, c].filter(function (w, i) { return rows[i] < 0; });
    if (missing.length) return { missing: missing };
    const q = unitQuery([[rows[1], 1], [rows[2], 1], [rows[0], -1]]);
    return { rows: rows, answers: ranked(q, k || 5, rows) };
  }

  // ------------------------------------------------------------------ colours
  const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf", "#393b79", "#ad494a", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
    "#e6550d", "#31a354", "#756bb1"];
  const RAMP = ["#0d0887", "#46039f", "#7201a8", "#9c179e", "#bd3786", "#d8576b", "#ed7953", "#fb9f3a"];
  function categoryColour(id) {
    if (id < 0) return "#c8c8c8";
    if (id < PALETTE.length) return PALETTE[id];
    return "hsl(" + ((id * 137.508) % 360).toFixed(1) + ", 55%, 45%)";
  }

  const schemes = {};
  (function () {
    const bins = new Int32Array(n);
    const top = Math.log(n + 1);
    for (let i = 0; i < n; i++) bins[i] = Math.min(RAMP.length - 1, Math.floor(RAMP.length * Math.log(i + 1) / top));
    schemes.frequency = { title: "frequency", ids: bins, colour: function (id) { return RAMP[id]; },
      legend: [[RAMP[0], "most frequent"], [RAMP[RAMP.length - 1], "rarest"]] };
    for (const key of Object.keys(data.groups)) {
      const g = data.groups[key];
      schemes[key] = { title: key === "kmeans" ? "k-means clusters" : "labels", ids: Int32Array.from(g.ids),
        colour: categoryColour,
        legend: g.names.map(function (name, i) { return [categoryColour(i), name]; }) };
      if (key === "labels") schemes[key].legend.push([categoryColour(-1), "no label"]);
    }
  })();

  // ------------------------------------------------------------------ view
  const canvas = document.getElementById("map");
  const ctx = canvas.getContext("2d");
  const state = { cx: 0, cy: 0, scale: 1, baseScale: 1, width: 0, height: 0, selected: -1, neighbours: [],
    analogy: null, scheme: data.groups.labels ? "labels" : "kmeans", labels: [] };
  const FONT_PX = 12;
  const MIN_CHAR_PX = 2; // narrower than any character at FONT_PX
  ctx.font = FONT_PX + "px system-ui, sans-serif";
  const textWidth = new Float32Array(n).fill(-1);

  function resize() {
    const rect = canvas.getBoundingClientRect();
    const ratio = window.devicePixelRatio || 1;
    canvas.width = Math.max(1, Math.round(rect.width * ratio));
    canvas.height = Math.max(1, Math.round(rect.height * ratio));
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.font = FONT_PX + "px system-ui, sans-serif";
    const first = state.width === 0;
    state.width = rect.width;
    state.height = rect.height;
    state.baseScale = 0.46 * Math.min(rect.width, rect.height);
    if (first) state.scale = state.baseScale;
    draw();
  }

  function toScreen(row) {
    return [state.width / 2 + (coords[2 * row] - state.cx) * state.scale,
      state.height / 2 - (coords[2 * row + 1] - state.cy) * state.scale];
  }

  function nearestRow(x, y, radius) {
    let best = -1, bestD = radius * radius;
    for (let r = 0; r < n; r++) {
      const sx = state.width / 2 + (coords[2 * r] - state.cx) * state.scale;
      const sy = state.height / 2 - (coords[2 * r + 1] - state.cy) * state.scale;
      const d = (sx - x) * (sx - x) + (sy - y) * (sy - y);
      if (d < bestD) { bestD = d; best = r; }
    }
    return best;
  }

  function zoomAt(factor, x, y) {
    const minScale = state.baseScale * 0.5, maxScale = state.baseScale * 2000;
    const next = Math.min(maxScale, Math.max(minScale, state.scale * factor));
    // keep the map point under (x, y) in place
    const wx = state.cx + (x - state.width / 2) / state.scale;
    const wy = state.cy - (y - state.height / 2) / state.scale;
    state.cx = wx - (x - state.width / 2) / next;
    state.cy = wy + (y - state.height / 2) / next;
    state.scale = next;
    draw();
  }

  // Show the given rows together, with a margin (zooming in no further than needed).
  function fitRows(rows) {
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (const r of rows) {
      x0 = Math.min(x0, coords[2 * r]); x1 = Math.max(x1, coords[2 * r]);
      y0 = Math.min(y0, coords[2 * r + 1]); y1 = Math.max(y1, coords[2 * r + 1]);
    }
    state.cx = (x0 + x1) / 2;
    state.cy = (y0 + y1) / 2;
    const span = Math.max(x1 - x0, y1 - y0, 1e-6);
    state.scale = Math.max(state.baseScale, Math.min(state.baseScale * 50, 0.6 * Math.min(state.width, state.height) / span));
    draw();
  }

  function centreOn(row, minZoom) {
    state.cx = coords[2 * row];
    state.cy = coords[2 * row + 1];
    state.scale = Math.max(state.scale, state.baseScale * (minZoom || 1));
    draw();
  }

  // ------------------------------------------------------------------ drawing
  function pointRadius() { return Math.min(4, Math.max(1.6, 1.6 * Math.pow(state.scale / state.baseScale, 0.25))); }

  function draw() {
    if (!state.width) return;
    const w = state.width, h = state.height;
    ctx.clearRect(0, 0, w, h);
    const scheme = schemes[state.scheme];
    const r = pointRadius();
    const byColour = new Map();
    for (let i = 0; i < n; i++) {
      const [sx, sy] = toScreen(i);
      if (sx < -r || sy < -r || sx > w + r || sy > h + r) continue;
      const id = scheme.ids[i];
      let list = byColour.get(id);
      if (!list) { list = []; byColour.set(id, list); }
      list.push(sx, sy);
    }
    ctx.globalAlpha = 0.75;
    for (const [id, list] of byColour) {
      ctx.fillStyle = scheme.colour(id);
      for (let k = 0; k < list.length; k += 2) ctx.fillRect(list[k] - r, list[k + 1] - r, 2 * r, 2 * r);
    }
    ctx.globalAlpha = 1;
    drawHighlights(r);
    placeAndDrawLabels();
  }

  function ring(row, radius, colour, width) {
    const [sx, sy] = toScreen(row);
    ctx.beginPath();
    ctx.arc(sx, sy, radius, 0, 2 * Math.PI);
    ctx.strokeStyle = colour;
    ctx.lineWidth = width;
    ctx.stroke();
  }

  function arrow(from, to, colour) {
    const [x0, y0] = toScreen(from), [x1, y1] = toScreen(to);
    const angle = Math.atan2(y1 - y0, x1 - x0), head = 9;
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = 2;
    ctx.beginPath(); ctx.moveTo(x0, y0); ctx.lineTo(x1, y1); ctx.stroke();
    ctx.beginPath();
    ctx.moveTo(x1, y1);
    ctx.lineTo(x1 - head * Math.cos(angle - 0.4), y1 - head * Math.sin(angle - 0.4));
    ctx.lineTo(x1 - head * Math.cos(angle + 0.4), y1 - head * Math.sin(angle + 0.4));
    ctx.closePath(); ctx.fill();
  }

  function drawHighlights(r) {
    for (const nb of state.neighbours) ring(nb[2], r + 3, "#ff9800", 2);
    if (state.analogy && state.analogy.answers) {
      const [a, b, c] = state.analogy.rows, d = state.analogy.answers[0][2];
      arrow(a, b, "#2e7d32");
      arrow(c, d, "#c62828");
      for (const row of [a, b, c, d]) ring(row, r + 3, "#333", 1.5);
    }
    if (state.selected >= 0) {
      ring(state.selected, r + 6, "#d50000", 3);
    }
  }

  function labelWidth(i) {
    if (textWidth[i] < 0) textWidth[i] = ctx.measureText(words[i]).width;
    return textWidth[i];
  }

  // Greedy placement: important words first, then by frequency; a label is drawn only where it
  // overlaps no label already placed, so zooming in (points spread apart) reveals more labels.
  function placeAndDrawLabels() {
    const w = state.width, h = state.height, cell = 64;
    const grid = new Map();
    const placed = [];
    const maxLabels = 600;
    function key(cx, cy) { return cx * 100003 + cy; }
    function free(box) {
      const c0 = Math.floor(box[0] / cell), c1 = Math.floor(box[2] / cell);
      const r0 = Math.floor(box[1] / cell), r1 = Math.floor(box[3] / cell);
      for (let cx = c0; cx <= c1; cx++) for (let cy = r0; cy <= r1; cy++) {
        const list = grid.get(key(cx, cy));
        if (!list) continue;
        for (const o of list) if (box[0] < o[2] && o[0] < box[2] && box[1] < o[3] && o[1] < box[3]) return false;
      }
      return true;
    }
    function occupy(box) {
      const c0 = Math.floor(box[0] / cell), c1 = Math.floor(box[2] / cell);
      const r0 = Math.floor(box[1] / cell), r1 = Math.floor(box[3] / cell);
      for (let cx = c0; cx <= c1; cx++) for (let cy = r0; cy <= r1; cy++) {
        const k = key(cx, cy);
        if (!grid.has(k)) grid.set(k, []);
        grid.get(k).push(box);
      }
    }
    // A label goes up-right of its point, else down-right, up-left, down-left: the first that
    // lies inside the map and overlaps no label placed before.
    function firstFreeSpot(sx, sy, bw, bh) {
      const spots = [[sx + 4, sy - bh - 1], [sx + 4, sy + 1], [sx - 4 - bw, sy - bh - 1], [sx - 4 - bw, sy + 1]];
      for (const [x, y] of spots) {
        const box = [x, y, x + bw, y + bh];
        if (box[0] >= 0 && box[1] >= 0 && box[2] <= w && box[3] <= h && free(box)) return box;
      }
      return null;
    }
    function tryPlace(i, bold) {
      const [sx, sy] = toScreen(i);
      if (sx < 0 || sy < 0 || sx > w || sy > h) return false;
      const bh = FONT_PX + 2;
      // A box narrower than any label lies inside the real one at every spot: if all four are
      // taken, so are the real ones, and the (slow) text measurement is skipped.
      if (!firstFreeSpot(sx, sy, MIN_CHAR_PX * words[i].length, bh)) return false;
      const box = firstFreeSpot(sx, sy, labelWidth(i) * (bold ? 1.1 : 1), bh);
      if (!box) return false;
      occupy(box);
      placed.push({ word: words[i], row: i, box: box, bold: bold });
      return true;
    }
    const important = [];
    if (state.selected >= 0) important.push(state.selected);
    if (state.analogy && state.analogy.answers) important.push(...state.analogy.rows, state.analogy.answers[0][2]);
    for (const nb of state.neighbours) important.push(nb[2]);
    const done = new Set();
    for (const i of important) if (!done.has(i)) { done.add(i); tryPlace(i, true); }
    for (let i = 0; i < n && placed.length < maxLabels; i++) if (!done.has(i)) tryPlace(i, false);
    ctx.textBaseline = "bottom";
    for (const p of placed) {
      ctx.font = (p.bold ? "bold " : "") + FONT_PX + "px system-ui, sans-serif";
      ctx.lineWidth = 3;
      ctx.strokeStyle = "rgba(252, 252, 250, 0.9)";
      ctx.strokeText(p.word, p.box[0], p.box[3]);
      ctx.fillStyle = p.row === state.selected ? "#b71c1c" : "#222";
      ctx.fillText(p.word, p.box[0], p.box[3]);
    }
    ctx.font = FONT_PX + "px system-ui, sans-serif";
    state.labels = placed;
  }

  // ------------------------------------------------------------------ panel
  const $ = function (id) { return document.getElementById(id); };
  function fmt(x) { return x.toLocaleString("en-US"); }

  function listWords(ol, items) {
    ol.innerHTML = "";
    for (const [word, score] of items) {
      const li = document.createElement("li");
      li.dataset.word = word;
      li.dataset.score = String(score);
      li.textContent = word + " ";
      const s = document.createElement("span");
      s.className = "score";
      s.textContent = score.toFixed(4);
      li.appendChild(s);
      li.addEventListener("click", function () { select(word, true); });
      ol.appendChild(li);
    }
  }

  function message(id, text, isError) {
    const el = $(id);
    el.textContent = text;
    el.classList.toggle("error", !!isError);
  }

  function select(word, centre) {
    const row = typeof word === "number" ? word : find(word);
    if (row < 0) {
      message("search-message", "\u201c" + word + "\u201d is not on the map", true);
      return false;
    }
    state.selected = row;
    state.neighbours = neighbours(row, NEIGHBOURS);
    $("neighbours-of").textContent = "of \u201c" + words[row] + "\u201d";
    listWords($("neighbours"), state.neighbours);
    const count = data.counts ? ", count " + fmt(data.counts[row]) : "";
    message("search-message", words[row] + ": rank " + fmt(row + 1) + count);
    if (centre) centreOn(row, 6); else draw();
    return true;
  }

  function solveAnalogy(a, b, c) {
    const result = analogy(a, b, c, 5);
    if (result.missing) {
      state.analogy = null;
      message("analogy-answer", "not on the map: " + result.missing.join(", "), true);
      $("analogy-list").innerHTML = "";
      draw();
      return result;
    }
    state.analogy = result;
    const [ra, rb, rc] = result.rows, best = result.answers[0];
    message("analogy-answer", words[ra] + " : " + words[rb] + " :: " + words[rc] + " : " + best[0]);
    $("analogy-answer").dataset.answer = best[0];
    listWords($("analogy-list"), result.answers);
    fitRows([ra, rb, rc, best[2]]);
    return result;
  }

  function exportTSV() {
    const names = Object.keys(data.groups);
    const header = ["word", "x", "y", "count"].concat(names.map(function (k) { return k === "kmeans" ? "cluster" : "label"; }));
    const lines = [header.join("\t")];
    for (let i = 0; i < n; i++) {
      const cols = [words[i], String(coords[2 * i]), String(coords[2 * i + 1]), data.counts ? String(data.counts[i]) : ""];
      for (const k of names) {
        const id = data.groups[k].ids[i];
        cols.push(id < 0 ? "" : data.groups[k].names[id]);
      }
      lines.push(cols.join("\t"));
    }
    return lines.join("\n") + "\n";
  }

  function download() {
    const blob = new Blob([exportTSV()], { type: "text/tab-separated-values" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "coordinates.tsv";
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  function setScheme(name) {
    state.scheme = name;
    $("colour-by").value = name;
    const legend = $("legend");
    legend.innerHTML = "";
    for (const [colour, text] of schemes[name].legend.slice(0, 40)) {
      const item = document.createElement("span");
      const sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = colour;
      item.appendChild(sw);
      item.appendChild(document.createTextNode(text));
      legend.appendChild(item);
    }
    draw();
  }

  function fillPanel() {
    const s = data.settings;
    const method = s.method === "tsne" ? "t-SNE (perplexity " + s.perplexity + ", seed " + s.seed + ")" : "PCA";
    $("summary").textContent = fmt(n) + " most frequent of " + fmt(s.vocabulary) + " words, " + dim +
      " dimensions; map by " + method + "; " + data.encoding + " vectors.";
    if (data.notice) { $("notice").hidden = false; $("notice").textContent = data.notice; }
    const table = $("settings");
    for (const [k, v] of Object.entries(s)) {
      const tr = table.insertRow();
      tr.insertCell().textContent = k;
      tr.insertCell().textContent = String(v);
    }
    const select = $("colour-by");
    for (const name of Object.keys(schemes)) {
      const opt = document.createElement("option");
      opt.value = name;
      opt.textContent = schemes[name].title;
      select.appendChild(opt);
    }
    select.addEventListener("change", function () { setScheme(select.value); });
    setScheme(state.scheme);
  }

  // ------------------------------------------------------------------ events
  (function () {
    let down = null, moved = false;
    canvas.addEventListener("pointerdown", function (e) {
      down = { x: e.offsetX, y: e.offsetY, cx: state.cx, cy: state.cy };
      moved = false;
      canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener("pointermove", function (e) {
      const hover = $("hover");
      if (down) {
        const dx = e.offsetX - down.x, dy = e.offsetY - down.y;
        if (Math.abs(dx) + Math.abs(dy) > 3) { moved = true; canvas.classList.add("dragging"); }
        if (moved) {
          state.cx = down.cx - dx / state.scale;
          state.cy = down.cy + dy / state.scale;
          hover.hidden = true;
          draw();
        }
        return;
      }
      const row = nearestRow(e.offsetX, e.offsetY, 8);
      if (row < 0) { hover.hidden = true; return; }
      hover.hidden = false;
      hover.textContent = words[row] + (data.counts ? " (" + fmt(data.counts[row]) + ")" : "");
      hover.style.left = (e.offsetX + 12) + "px";
      hover.style.top = (e.offsetY + 12) + "px";
    });
    canvas.addEventListener("pointerup", function (e) {
      if (down && !moved) {
        const row = nearestRow(e.offsetX, e.offsetY, 10);
        if (row >= 0) select(row, false);
      }
      down = null;
      canvas.classList.remove("dragging");
    });
    canvas.addEventListener("pointerleave", function () { $("hover").hidden = true; });
    canvas.addEventListener("wheel", function (e) {
      e.preventDefault();
      zoomAt(Math.exp(-e.deltaY * 0.0015), e.offsetX, e.offsetY);
    }, { passive: false });
    $("zoom-in").addEventListener("click", function () { zoomAt(1.6, state.width / 2, state.height / 2); });
    $("zoom-out").addEventListener("click", function () { zoomAt(1 / 1.6, state.width / 2, state.height / 2); });
    $("zoom-reset").addEventListener("click", function () {
      state.cx = 0; state.cy = 0; state.scale = state.baseScale; draw();
    });
    $("search-form").addEventListener("submit", function (e) {
      e.preventDefault();
      select($("search").value, true);
    });
    $("analogy-form").addEventListener("submit", function (e) {
      e.preventDefault();
      solveAnalogy($("analogy-a").value, $("analogy-b").value, $("analogy-c").value);
    });
    $("export").addEventListener("click", download);
    window.addEventListener("resize", resize);
  })();

  fillPanel();
  resize();
  performance.mark("explorer-drawn");

  // For scripts and tests: the page's own computations and view.
  window.explorer = {
    data: data, words: words, units: units, coords: coords,
    find: find,
    neighbours: function (word, k) { const r = neighbours(word, k); return r && r.map(function (x) { return [x[0], x[1]]; }); },
    analogy: function (a, b, c, k) {
      const r = analogy(a, b, c, k);
      return r.missing ? r : r.answers.map(function (x) { return [x[0], x[1]]; });
    },
    select: select, solveAnalogy: solveAnalogy, exportTSV: exportTSV, setScheme: setScheme,
    screenPosition: function (word) {
      const row = typeof word === "number" ? word : find(word);
      if (row < 0) return null;
      const rect = canvas.getBoundingClientRect(), p = toScreen(row);
      return { x: rect.left + p[0], y: rect.top + p[1] };
    },
    labels: function () { return state.labels.map(function (p) { return { word: p.word, box: p.box }; }); },
    view: function () { return { cx: state.cx, cy: state.cy, scale: state.scale, selected: state.selected >= 0 ? words[state.selected] : null }; },
    zoom: function (factor) { zoomAt(factor, state.width / 2, state.height / 2); },
    ready: true,
  };
  document.body.dataset.ready = "1";
})();
