// Staff pages: confirmation before irreversible actions, printing, and live turnout on a
// poll's page (SSE, or polling when SSE is blocked).
(function () {
  "use strict";
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) ev.preventDefault();
  });
  document.addEventListener("click", function (ev) {
    if (ev.target.hasAttribute("data-print")) window.print();
  });
  // A table wider than a phone scrolls in its own box; the box takes the keyboard's focus
  // so it can be scrolled with the arrow keys too.
  function scrollable() {
    Array.prototype.forEach.call(document.querySelectorAll("main table"), function (t) {
      if (t.scrollWidth > t.clientWidth + 1) t.setAttribute("tabindex", "0");
      else t.removeAttribute("tabindex");
    });
    // the turnout of many groups scrolls down inside its own box
    Array.prototype.forEach.call(document.querySelectorAll(".turnout-box"), function (b) {
      if (b.scrollHeight > b.clientHeight + 1) b.setAttribute("tabindex", "0");
      else b.removeAttribute("tabindex");
    });
    // a tally's table wider than its card scrolls sideways inside its box
    Array.prototype.forEach.call(document.querySelectorAll(".table-scroll"), function (b) {
      if (b.scrollWidth > b.clientWidth + 1) b.setAttribute("tabindex", "0");
      else b.removeAttribute("tabindex");
    });
  }
  scrollable();
  window.addEventListener("resize", scrollable);
  var table = document.getElementById("turnout");
  // A region's groups unfold under its subtotal row.
  if (table) table.addEventListener("click", function (ev) {
    var b = ev.target.closest("button.fold");
    if (!b) return;
    var open = b.getAttribute("aria-expanded") !== "true";
    b.setAttribute("aria-expanded", open ? "true" : "false");
    Array.prototype.forEach.call(b.closest("tbody").querySelectorAll("tr.in-region"), function (tr) { tr.hidden = !open; });
    scrollable();
  });
  if (!table || !table.hasAttribute("data-live")) return;
  var live = document.getElementById("live-status");
  var beijing = window.minyiLive.beijing, text = window.minyiLive.text;
  // The page's words, in its language: data-t-* of the table.
  function T(name) { return table.getAttribute("data-t-" + name) || ""; }
  var states = {};
  try { states = JSON.parse(T("states")) || {}; } catch (e) { states = {}; }
  function pct(r) { return r.den > 0 ? (Math.round(r.num * 10000 / r.den) / 100).toFixed(2) + "%" : "—"; }
  function row(el, g) {
    ["issued", "voided", "used"].forEach(function (k) { el.querySelector("." + k).textContent = g[k]; });
    el.querySelector(".rate").textContent = pct(g.participation);
  }
  var stateShown = table.getAttribute("data-state");
  var stateChanged = false, lastAt = 0;
  function say(text) { if (live && !stateChanged) live.textContent = text; }
  function since() { return lastAt ? " · " + text(T("since"), beijing(lastAt)) : ""; }
  function lost() { say(T("lost") + since()); }
  function show(v, how) {
    var t = v.turnout;
    (t.groups || []).forEach(function (g) {
      var el = table.querySelector('[data-group="' + g.group_id + '"]');
      if (el) row(el, g);
    });
    // a poll of many groups: each group's [expected, issued, voided, used] by position
    (t.counts || []).forEach(function (c, i) {
      var el = table.querySelector('[data-i="' + i + '"]');
      if (el) row(el, { issued: c[1], voided: c[2], used: c[3], participation: { num: c[3], den: c[0] } });
    });
    (t.regions || []).forEach(function (r, i) {
      var el = table.querySelector('[data-region="' + i + '"]');
      if (el) row(el, r);
    });
    row(table.querySelector("tfoot tr"), t.total);
    var q = document.getElementById("quorum-status");
    if (q) q.textContent = t.quorum_met ? T("met") : text(T("short"), t.quorum_needed - t.total.used);
    lastAt = Date.now();
    say(how + " · " + text(T("since"), beijing(lastAt)));
    if (v.state !== stateShown && live && !stateChanged) {
      // Opened or closed by someone else: say so, without reloading over what is being typed.
      stateChanged = true;
      live.innerHTML = "";
      var a = document.createElement("a");
      a.href = location.pathname;
      a.textContent = text(T("changed"), states[v.state] || v.state);
      live.appendChild(a);
    }
  }
  window.minyiLive.follow({
    live: table.getAttribute("data-live"), poll: table.getAttribute("data-poll"),
    show: show, lost: lost, liveText: T("live"), pollText: T("polling"),
    read: function (t) { return { state: stateShown, turnout: t }; },
    failure: function () { say(T("failure") + since()); }
  });
})();
