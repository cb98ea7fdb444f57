// Big screen: a clock, and turnout pushed over SSE, with polling when SSE is blocked.
(function () {
  "use strict";
  var root = document.getElementById("screen");
  if (!root) return;
  var clock = document.getElementById("clock");
  function tick() {
    var d = new Date();
    clock.textContent = ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2) + ":" + ("0" + d.getSeconds()).slice(-2);
  }
  tick(); setInterval(tick, 1000);
  function pct(r) { return r.den > 0 ? (Math.round(r.num * 10000 / r.den) / 100).toFixed(2) + "%" : "—"; }
  function width(r) { return r.den > 0 ? Math.min(100, r.num * 100 / r.den) + "%" : "0"; }
  function show(v) {
    var t = v.turnout;
    document.getElementById("used").textContent = t.total.used;
    document.getElementById("expected").textContent = t.total.expected;
    document.getElementById("rate").textContent = pct(t.total.participation);
    document.getElementById("bar").style.width = width(t.total.participation);
    document.getElementById("quorum-mark").style.left = (t.total.expected ? t.quorum_needed * 100 / t.total.expected : 0) + "%";
    document.getElementById("quorum").textContent = t.quorum_met ? "已达到法定人数（" + t.quorum_needed + " 人）" : "法定人数 " + t.quorum_needed + " 人，还差 " + (t.quorum_needed - t.total.used) + " 人";
    var st = document.getElementById("state");
    st.textContent = v.state_label; st.className = "state " + v.state;
    t.groups.forEach(function (g) {
      var el = root.querySelector('[data-group="' + g.group_id + '"]');
      if (!el) return;
      el.querySelector(".used").textContent = g.used;
      el.querySelector(".rate").textContent = pct(g.participation);
      el.querySelector("i").style.width = width(g.participation);
    });
  }
  var polling = null;
  function poll() {
    fetch(root.getAttribute("data-poll"), { cache: "no-store" }).then(function (r) { return r.json(); }).then(show).catch(function () {});
  }
  function fallback() { if (!polling) { polling = setInterval(poll, 3000); poll(); } }
  if (window.EventSource) {
    var es = new EventSource(root.getAttribute("data-live"));
    var opened = false;
    es.addEventListener("turnout", function (e) { opened = true; show(JSON.parse(e.data)); });
    es.onerror = function () { if (!opened) { es.close(); fallback(); } };
    setTimeout(function () { if (!opened) { es.close(); fallback(); } }, 5000);
  } else {
    fallback();
  }
  poll();
})();
