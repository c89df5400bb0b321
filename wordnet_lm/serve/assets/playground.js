// wordnet_lm playground: surprisal colouring, next words and samples from the server's JSON API.
(function () {
  "use strict";
  const MAX_BITS = 16; // surprisal at and above which a word is fully red
  const $ = function (id) { return document.getElementById(id); };
  const state = { score: null, next: null, sample: null, pending: 0, requestId: 0 };

  async function post(path, body) {
    const response = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body) });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error || ("HTTP " + response.status));
    return answer;
  }

  // Surprisal in bits -> background colour: green (expected) through yellow to red (surprising).
  function colourFor(logprob) {
    const bits = -logprob / Math.LN2;
    const t = Math.min(1, Math.max(0, bits / MAX_BITS));
    return "hsl(" + (120 * (1 - t)).toFixed(1) + ", 75%, 78%)";
  }

  // Bits the neural LM saves over the n-gram on a word -> blue (saves) / orange (costs), up to 8 bits.
  function diffColour(bits) {
    const t = Math.min(1, Math.abs(bits) / 8);
    return bits >= 0 ? "hsl(210, 80%, " + (96 - 26 * t).toFixed(1) + "%)" : "hsl(30, 90%, " + (96 - 26 * t).toFixed(1) + "%)";
  }

  function describe(i) {
    const s = state.score, lines = [s.words[i]];
    for (const [name, key] of [["neural LM", "neural"], ["n-gram   ", "ngram"]]) {
      const m = s[key];
      if (!m) continue;
      const lp = m.logprob[i];
      lines.push(name + "  log p = " + lp.toFixed(4) + "  (" + (-lp / Math.LN2).toFixed(2) + " bits)" +
        (m.oov[i] ? "  <unk>" : ""));
    }
    if (s.ngram) lines.push("neural LM saves " + ((s.neural.logprob[i] - s.ngram.logprob[i]) / Math.LN2).toFixed(2) + " bits");
    return lines.join("\n");
  }

  function showTip(span, i) {
    const tip = $("tip"), r = span.getBoundingClientRect();
    tip.textContent = describe(i);
    tip.hidden = false;
    tip.style.left = (window.scrollX + r.left) + "px";
    tip.style.top = (window.scrollY + r.bottom + 6) + "px";
  }

  function addHover(span, i) {
    span.addEventListener("mouseenter", function () { showTip(span, i); });
    span.addEventListener("mouseleave", function () { $("tip").hidden = true; });
  }

  function showDiff(box, score) {
    box.innerHTML = "";
    $("diff-row").hidden = !(score && score.ngram);
    if (!score || !score.ngram) return;
    score.words.forEach(function (word, i) {
      const bits = (score.neural.logprob[i] - score.ngram.logprob[i]) / Math.LN2;
      const span = document.createElement("span");
      span.className = "word" + (word === "</s>" ? " eos" : "");
      span.textContent = word;
      span.dataset.bits = String(bits);
      span.style.background = diffColour(bits);
      addHover(span, i);
      box.appendChild(span);
    });
  }

  function showWords(box, words, scores) {
    box.innerHTML = "";
    if (!scores) return;
    words.forEach(function (word, i) {
      const lp = scores.logprob[i];
      const span = document.createElement("span");
      span.className = "word" + (scores.oov[i] ? " oov" : "") + (word === "</s>" ? " eos" : "");
      span.textContent = word;
      span.dataset.logprob = String(lp);
      span.style.background = colourFor(lp);
      span.setAttribute("aria-label", word + ": log p = " + lp.toFixed(4) + " (natural log), " + (-lp / Math.LN2).toFixed(2) +
        " bits" + (scores.oov[i] ? "; not in this model's vocabulary: scored as <unk>" : ""));
      addHover(span, i);
      box.appendChild(span);
    });
  }

  function showNext(ol, items) {
    ol.innerHTML = "";
    if (!items) return;
    for (const [word, p] of items) {
      const li = document.createElement("li");
      li.dataset.word = word;
      li.textContent = word;
      const s = document.createElement("span");
      s.className = "p";
      s.textContent = p.toFixed(4);
      li.appendChild(s);
      li.addEventListener("click", function () {
        if (word === "</s>") return;
        const t = $("text");
        t.value = t.value.replace(/\s*$/, "") + (t.value.trim() ? " " : "") + word;
        update();
      });
      ol.appendChild(li);
    }
  }

  async function update() {
    const text = $("text").value;
    const id = ++state.requestId;
    state.pending++;
    document.body.dataset.busy = "1";
    try {
      const next = await post("/api/next", { text: text, k: 10 });
      let score = null;
      if (text.trim()) score = await post("/api/score", { text: text });
      if (id !== state.requestId) return; // a newer request is on its way
      $("error").textContent = "";
      state.score = score;
      state.next = next;
      showWords($("neural-words"), score ? score.words : [], score && score.neural);
      showWords($("ngram-words"), score ? score.words : [], score && score.ngram);
      showDiff($("diff-words"), score);
      $("neural-ppl").textContent = score ? "perplexity " + score.neural.perplexity.toFixed(2) : "";
      $("ngram-ppl").textContent = score && score.ngram ? "perplexity " + score.ngram.perplexity.toFixed(2) : "";
      showNext($("neural-next"), next.neural);
      showNext($("ngram-next"), next.ngram);
    } catch (e) {
      if (id === state.requestId) $("error").textContent = e.message;
    } finally {
      state.pending--;
      if (state.pending === 0) document.body.dataset.busy = "0";
      document.body.dataset.updated = String(id);
    }
  }

  let timer = null;
  $("text").addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(update, 150);
  });

  $("sample-form").addEventListener("submit", async function (e) {
    e.preventDefault();
    const topK = $("top-k").value ? parseInt($("top-k").value, 10) : null;
    try {
      const answer = await post("/api/sample", { text: $("text").value, n: parseInt($("n-words").value, 10) || 20,
        temperature: parseFloat($("temperature").value) || 1, top_k: topK });
      state.sample = answer;
      $("neural-sample").textContent = answer.neural.join(" ");
      $("ngram-sample").textContent = answer.ngram ? answer.ngram.join(" ") : "";
      $("error").textContent = "";
    } catch (err) {
      $("error").textContent = err.message;
    }
  });

  function showTab(explore) {
    $("play").hidden = explore;
    $("explore").hidden = !explore;
    $("tab-play").classList.toggle("active", !explore);
    $("tab-explore").classList.toggle("active", explore);
    if (explore && !$("explorer-frame").src) $("explorer-frame").src = "/explorer";
  }
  $("tab-play").addEventListener("click", function () { showTab(false); });
  $("tab-explore").addEventListener("click", function () { showTab(true); });

  fetch("/api/info").then(function (r) { return r.json(); }).then(function (info) {
    let text = "neural LM " + info.neural.file + " (order " + info.neural.order + ", " +
      info.neural.vocabulary.toLocaleString("en-US") + " words)";
    if (info.ngram) {
      text += "; n-gram " + info.ngram.file + " (order " + info.ngram.order + ")";
    } else {
      $("ngram-row").hidden = true;
      $("diff-row").hidden = true;
      $("ngram-next-box").hidden = true;
      $("ngram-sample-row").hidden = true;
    }
    $("info").textContent = text + "; vectors: " + info.vectors.source;
    $("scale-max").textContent = MAX_BITS + "+ bits";
    document.body.dataset.ready = "1";
  });
  update();

  window.playground = { colourFor: colourFor, update: update, state: state, MAX_BITS: MAX_BITS };
})();
