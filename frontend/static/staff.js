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
  var live = document.getElementById("live-status");
  function two(n) { return (n < 10 ? "0" : "") + n; }
  // 北京时间 whatever the computer's time zone and language: China keeps UTC+8 all year.
  function beijing(ms) {
    var d = new Date(ms + 8 * 3600000);
    return two(d.getUTCHours()) + ":" + two(d.getUTCMinutes()) + ":" + two(d.getUTCSeconds());
  }
  function pct(r) { return r.den > 0 ? (Math.round(r.num * 10000 / r.den) / 100).toFixed(2) + "%" : "—"; }
  function row(el, g) {
    ["issued", "voided", "used"].forEach(function (k) { el.querySelector("." + k).textContent = g[k]; });
    el.querySelector(".rate").textContent = pct(g.participation);
  }
  var stateShown = table.getAttribute("data-state");
  var stateChanged = false, lastAt = 0;
  function say(text) { if (live && !stateChanged) live.textContent = text; }
  function since() { return lastAt ? " · 最后更新 " + beijing(lastAt) : ""; }
  function lost() { say("连接中断，正在重连" + since()); }
  function show(v, how) {
    var t = v.turnout;
    t.groups.forEach(function (g) {
      var el = table.querySelector('[data-group="' + g.group_id + '"]');
      if (el) row(el, g);
    });
    row(table.querySelector("tfoot tr"), t.total);
    var q = document.getElementById("quorum-status");
    if (q) q.textContent = t.quorum_met ? "已达到法定人数。" : "还差 " + (t.quorum_needed - t.total.used) + " 人。";
    lastAt = Date.now();
    say(how + " · 最后更新 " + beijing(lastAt));
    if (v.state !== stateShown && live && !stateChanged) {
      // Opened or closed by someone else: say so, without reloading over what is being typed.
      stateChanged = true;
      live.innerHTML = "";
      var a = document.createElement("a");
      a.href = location.pathname;
      a.textContent = "投票状态已变为“" + (v.state_label || v.state) + "”，点此刷新";
      live.appendChild(a);
    }
  }
  // between ms and twice that: pages that lost the server together do not come back together
  function jitter(ms) { return ms + Math.floor(Math.random() * ms); }

  // Polling, while the stream is blocked or refused.
  var polling = null;
  function poll() {
    fetch(table.getAttribute("data-poll"), { cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (t) { if (polling) show({ state: stateShown, turnout: t }, "定时刷新中"); })
      .catch(function () { if (polling) lost(); });
  }
  function startPolling() {
    if (polling) return;
    polling = setTimeout(function tick() { poll(); polling = setTimeout(tick, jitter(3000)); }, jitter(500));
  }
  function stopPolling() { clearTimeout(polling); polling = null; }

  // The stream. A dropped connection is retried by the browser itself (after the server's
  // retry: delay); one the browser gave up on, or that never delivered, is replaced by
  // polling and tried again later. Form posts, downloads included, leave it alone.
  var leaving = false, reopen = null;
  window.addEventListener("pagehide", function () { leaving = true; });
  function later() { if (!reopen) reopen = setTimeout(function () { reopen = null; connect(); }, jitter(10000)); }
  function connect() {
    if (!window.EventSource) { startPolling(); return; }
    var es = new EventSource(table.getAttribute("data-live")), delivered = false;
    var guard = setTimeout(function () {
      if (!delivered) { es.close(); lost(); startPolling(); later(); }
    }, 8000);
    es.addEventListener("turnout", function (e) {
      delivered = true;
      clearTimeout(guard);
      stopPolling();
      show(JSON.parse(e.data), "实时更新中");
    });
    es.addEventListener("failure", function () { delivered = true; clearTimeout(guard); say("暂时读不到人数，正在重试" + since()); });
    es.onerror = function () {
      if (leaving) return;
      lost();
      if (es.readyState === 2) { clearTimeout(guard); startPolling(); later(); } // CLOSED
    };
  }
  connect();
})();
