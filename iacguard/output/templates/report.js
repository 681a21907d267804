(function () {
  "use strict";
  var doc = document;
  var section = doc.getElementById("findings");
  var controls = doc.getElementById("controls");
  if (!section || !controls) { return; }
  var sevSel = doc.getElementById("filter-severity");
  var pillarSel = doc.getElementById("filter-pillar");
  var checkSel = doc.getElementById("filter-check");
  var textIn = doc.getElementById("filter-text");
  var toggle = doc.getElementById("group-toggle");
  var countEl = doc.getElementById("visible-count");
  var articles = Array.prototype.slice.call(section.querySelectorAll("article.finding"));
  var titles = {};
  articles.forEach(function (a) {
    var t = a.querySelector("h4");
    titles[a.getAttribute("data-check")] = t ? t.textContent : "";
  });

  function groupBy(attr) {
    var order = [], groups = {};
    articles.forEach(function (a) {
      var key = a.getAttribute(attr) || "";
      if (!Object.prototype.hasOwnProperty.call(groups, key)) { groups[key] = []; order.push(key); }
      groups[key].push(a);
    });
    if (attr === "data-check") { order.sort(); }
    Array.prototype.slice.call(section.querySelectorAll("div.group")).forEach(function (g) { g.parentNode.removeChild(g); });
    order.forEach(function (key) {
      var div = doc.createElement("div");
      div.className = "group";
      div.setAttribute("data-key", key);
      var h = doc.createElement("h3");
      var name = doc.createElement(attr === "data-file" ? "code" : "span");
      name.textContent = attr === "data-check" && titles[key] ? key + ": " + titles[key] : key;
      var n = doc.createElement("span");
      n.className = "n";
      h.appendChild(name);
      h.appendChild(n);
      div.appendChild(h);
      groups[key].forEach(function (a) { div.appendChild(a); });
      section.appendChild(div);
    });
    section.setAttribute("data-group", attr === "data-check" ? "check" : "file");
    toggle.textContent = attr === "data-check" ? "Group by file" : "Group by check";
  }

  function matches(a, sev, pillar, check, text) {
    if (sev && a.getAttribute("data-severity") !== sev) { return false; }
    if (pillar && a.getAttribute("data-pillar") !== pillar) { return false; }
    if (check && a.getAttribute("data-check") !== check) { return false; }
    if (text) {
      var hay = ((a.getAttribute("data-file") || "") + "\n" + (a.getAttribute("data-address") || "")).toLowerCase();
      if (hay.indexOf(text) < 0) { return false; }
    }
    return true;
  }

  function apply(updateHash) {
    var sev = sevSel.value, pillar = pillarSel.value, check = checkSel.value;
    var rawText = textIn.value.trim(), text = rawText.toLowerCase();
    var shown = 0;
    articles.forEach(function (a) {
      var ok = matches(a, sev, pillar, check, text);
      if (ok) { a.removeAttribute("hidden"); shown++; } else { a.setAttribute("hidden", ""); }
    });
    Array.prototype.slice.call(section.querySelectorAll("div.group")).forEach(function (g) {
      var left = g.querySelectorAll("article.finding:not([hidden])").length;
      if (left) { g.removeAttribute("hidden"); } else { g.setAttribute("hidden", ""); }
      var n = g.querySelector("h3 .n");
      if (n) { n.textContent = "(" + left + ")"; }
    });
    countEl.textContent = String(shown);
    if (updateHash) {
      var parts = [];
      if (sev) { parts.push("severity=" + encodeURIComponent(sev)); }
      if (pillar) { parts.push("pillar=" + encodeURIComponent(pillar)); }
      if (check) { parts.push("check=" + encodeURIComponent(check)); }
      if (rawText) { parts.push("text=" + encodeURIComponent(rawText)); }
      try { history.replaceState(null, "", parts.length ? "#" + parts.join("&") : location.pathname + location.search); } catch (e) { /* file: pages may refuse */ }
    }
  }

  function setSelect(sel, value) {
    for (var i = 0; i < sel.options.length; i++) {
      if (sel.options[i].value === value) { sel.value = value; return; }
    }
  }

  function readHash() {
    var hash = location.hash.replace(/^#/, "");
    if (!hash || hash.indexOf("=") < 0) { return; }
    hash.split("&").forEach(function (pair) {
      var i = pair.indexOf("=");
      if (i < 0) { return; }
      var key = pair.slice(0, i), value;
      try { value = decodeURIComponent(pair.slice(i + 1).replace(/\+/g, " ")); } catch (e) { return; }
      if (key === "severity") { setSelect(sevSel, value); }
      else if (key === "pillar") { setSelect(pillarSel, value); }
      else if (key === "check") { setSelect(checkSel, value); }
      else if (key === "text") { textIn.value = value; }
    });
  }

  // A finding whose check is explained earlier on the page holds a link to that explanation;
  // opened, it gets a copy (nodes cloned from the page itself, no markup parsed).
  Array.prototype.slice.call(section.querySelectorAll("details.explain[data-ref]")).forEach(function (d) {
    d.addEventListener("toggle", function () {
      if (!d.open || d.classList.contains("filled")) { return; }
      var src = doc.getElementById(d.getAttribute("data-ref"));
      if (!src) { return; }
      Array.prototype.slice.call(src.childNodes).forEach(function (node) {
        if (node.nodeName.toLowerCase() !== "summary") { d.appendChild(node.cloneNode(true)); }
      });
      d.classList.add("filled");
    });
  });

  [sevSel, pillarSel, checkSel].forEach(function (el) { el.addEventListener("change", function () { apply(true); }); });
  textIn.addEventListener("input", function () { apply(true); });
  toggle.addEventListener("click", function () {
    groupBy(section.getAttribute("data-group") === "check" ? "data-file" : "data-check");
    apply(false);
  });
  window.addEventListener("hashchange", function () { readHash(); apply(false); });
  controls.removeAttribute("hidden");
  readHash();
  apply(false);
})();
