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
  var table = document.getElementById("turnout");
  if (!table || !table.hasAttribute("data-live")) return;
  function pct(r) { return r.den > 0 ? (Math.round(r.num * 10000 / r.den) / 100).toFixed(2) + "%" : "—"; }
  function row(el, g) {
    ["issued", "voided", "used"].forEach(function (k) { el.querySelector("." + k).textContent = g[k]; });
    el.querySelector(".rate").textContent = pct(g.participation);
  }
  var stateShown = table.getAttribute("data-state");
  function show(v) {
    var t = v.turnout;
    t.groups.forEach(function (g) {
      var el = table.querySelector('[data-group="' + g.group_id + '"]');
      if (el) row(el, g);
    });
    row(table.querySelector("tfoot tr"), t.total);
    var q = document.getElementById("quorum-status");
    if (q) q.textContent = t.quorum_met ? "已达到法定人数。" : "还差 " + (t.quorum_needed - t.total.used) + " 人。";
    var live = document.getElementById("live-status");
    if (live) live.textContent = "实时更新中 · " + new Date().toLocaleTimeString();
    if (v.state !== stateShown && live) {
      // Opened or closed by someone else: say so, without reloading over what is being typed.
      live.innerHTML = "";
      var a = document.createElement("a");
      a.href = location.pathname;
      a.textContent = "投票状态已变为“" + (v.state_label || v.state) + "”，点此刷新";
      live.appendChild(a);
    }
  }
  var polling = null;
  function poll() {
    fetch(table.getAttribute("data-poll"), { cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (t) { show({ state: stateShown, turnout: t }); }).catch(function () {});
  }
  function fallback() { if (!polling) { polling = setInterval(poll, 3000); } }
  if (window.EventSource) {
    var es = new EventSource(table.getAttribute("data-live"));
    document.addEventListener("submit", function (ev) { if (!ev.defaultPrevented) es.close(); });
    var opened = false;
    es.addEventListener("turnout", function (e) { opened = true; show(JSON.parse(e.data)); });
    es.onerror = function () { if (!opened) { es.close(); fallback(); } };
    setTimeout(function () { if (!opened) { es.close(); fallback(); } }, 5000);
  } else {
    fallback();
  }
})();
