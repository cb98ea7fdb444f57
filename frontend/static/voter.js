// Voter page: the server's rules checked before submit (one grade per evaluated person, no
// more recommendations than seats), a progress count, and no double submit. Without
// JavaScript the server does all of it. Every text comes from the page (data-* attributes,
// in the page's language), so this file has none of its own.
(function () {
  "use strict";
  var done = document.getElementById("done");
  if (done && window.history && history.replaceState) {
    // A reload of the confirmation asks the server again, which answers "already used".
    history.replaceState(null, "", location.href);
  }
  // 大字: larger text for whoever needs it, remembered on this phone. Without JavaScript
  // the link asks the server for the page in large text instead.
  var root = document.documentElement, big = document.getElementById("bigtext");
  function bigText(on) {
    root.classList.toggle("big", on);
    if (big) { big.textContent = big.getAttribute(on ? "data-normal" : "data-big"); big.href = on ? "?" : "?big=1"; }
  }
  try {
    var kept = localStorage.getItem("minyi-big");
    if (kept) bigText(kept === "1");
  } catch (e) { /* storage off (private mode): the link still works */ }
  if (big) big.addEventListener("click", function (ev) {
    ev.preventDefault();
    var on = !root.classList.contains("big");
    bigText(on);
    try { localStorage.setItem("minyi-big", on ? "1" : "0"); } catch (e) { /* not kept, still shown */ }
  });
  var form = document.getElementById("ballot");
  if (!form) return;
  var all = Array.prototype.slice.call(form.querySelectorAll("[data-line]"));
  var required = all.filter(function (l) { return l.hasAttribute("data-required"); });
  var limited = all.filter(function (l) { return l.hasAttribute("data-seats"); });
  var progress = document.getElementById("progress");
  var box = document.getElementById("confirm-js");
  var accept = document.getElementById("accept-js");
  var button = form.querySelector("button[type=submit]");
  // show scrolls a line into view: gliding there, unless the phone asks for less motion.
  function show(el) {
    var still = window.matchMedia && matchMedia("(prefers-reduced-motion: reduce)").matches;
    el.scrollIntoView({ behavior: still ? "auto" : "smooth", block: "center" });
  }
  // say fills a text of the page with values: "已填 {n} / {all}".
  function say(key, vals) {
    return (form.getAttribute("data-" + key) || "").replace(/\{(\w+)\}/g, function (m, k) { return k in vals ? vals[k] : m; });
  }

  function answered(l) { return l.querySelectorAll("input:checked").length === 1; }
  // recommended counts the names a line recommends: marked boxes, 同意, and written-in names.
  function recommended(l) {
    var n = 0;
    l.querySelectorAll("input:checked").forEach(function (i) {
      if (i.type === "checkbox" || i.value === "同意") n++;
    });
    l.querySelectorAll("input[type=text]").forEach(function (i) {
      if (i.value.trim() !== "") n++;
    });
    return n;
  }
  function over(l) { return recommended(l) > Number(l.getAttribute("data-seats")); }
  // written is a question answered in words: filled in as much as a marked one.
  function written(l) {
    return Array.prototype.some.call(l.querySelectorAll("textarea"), function (x) { return x.value.trim() !== ""; });
  }
  function showOver(l, on) {
    var p = l.querySelector(".line-error");
    l.classList.toggle("missing", on);
    if (!p) return;
    p.hidden = !on;
    // Says how many are marked, the limit, and how many to take back: the voter sees what to do.
    var n = recommended(l), seats = Number(l.getAttribute("data-seats")), unit = l.getAttribute("data-unit") || "";
    p.textContent = on ? say("over", { title: l.getAttribute("data-title"), n: n, unit: unit, limit: l.getAttribute("data-limit") || "", seats: seats, cut: n - seats }) : "";
  }
  function update() {
    var touched = all.filter(function (l) { return l.querySelector("input:checked") || recommended(l) > 0 || written(l); }).length;
    progress.textContent = say("progress", { n: touched, all: all.length });
    required.forEach(function (l) { if (answered(l)) l.classList.remove("missing"); });
    limited.forEach(function (l) { showOver(l, over(l)); });
  }
  form.addEventListener("change", function (ev) {
    var l = ev.target.closest("[data-seats]");
    // Block the mark that goes over the seats, at once, where the voter made it.
    if (l && ev.target.checked && over(l)) {
      ev.target.checked = false;
      showOver(l, true);
      l.querySelector(".line-error").textContent = say("full", { title: l.getAttribute("data-title"), seats: l.getAttribute("data-seats"), unit: l.getAttribute("data-unit") || "" });
      return;
    }
    update();
    if (!accept.disabled && required.every(answered)) {
      accept.disabled = true; box.hidden = true; button.textContent = say("submit", {});
    }
  });
  form.addEventListener("input", update);
  update();
  // offStep finds the scores that are not a whole number of the form's step, as the server
  // would refuse them; what does not read as a number is left to the server's message.
  function offStep() {
    return Array.prototype.slice.call(form.querySelectorAll("input[data-step]")).filter(function (i) {
      var v = i.value.trim().replace(/[\uff10-\uff19\uff0e]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) - 0xfee0); });
      if (v === "" || !/^\d+(\.\d)?$/.test(v)) return false;
      var tenths = Math.round(parseFloat(v) * 10), step = Math.round(parseFloat(i.getAttribute("data-step")) * 10);
      return tenths % step !== 0;
    });
  }
  form.addEventListener("submit", function (ev) {
    var steps = offStep();
    if (steps.length) {
      ev.preventDefault();
      steps.forEach(function (i) {
        var l = i.closest("[data-line]");
        l.classList.add("missing");
        var p = l.querySelector(".line-error");
        p.hidden = false;
        p.textContent = say("offstep", { v: i.value.trim(), step: i.getAttribute("data-step") });
      });
      show(steps[0]);
      return;
    }
    var bad = limited.filter(over);
    if (bad.length) {
      ev.preventDefault();
      bad.forEach(function (l) { showOver(l, true); });
      show(bad[0]);
      return;
    }
    var missing = required.filter(function (l) { return !answered(l); });
    var confirmed = ev.submitter && ev.submitter.name === "accept_invalid"; // the server's panel, already read
    if (missing.length && accept.disabled && !confirmed) {
      ev.preventDefault();
      missing.forEach(function (l) { l.classList.add("missing"); });
      box.querySelector("p").textContent = say("missing", { n: missing.length });
      box.hidden = false;
      accept.disabled = false;
      accept.value = "1";
      button.textContent = say("confirm", {});
      show(missing[0]);
      return;
    }
    if (button.dataset.sent) { ev.preventDefault(); return; }
    button.dataset.sent = "1";
    button.textContent = say("sending", {});
  });
})();
