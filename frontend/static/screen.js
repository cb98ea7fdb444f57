// Big screen: a clock and turnout, pushed over SSE, with polling when SSE is blocked.
(function () {
  "use strict";
  var root = document.getElementById("screen");
  if (!root) return;
  function two(n) { return (n < 10 ? "0" : "") + n; }
  // 北京时间 whatever the projector computer's time zone: China keeps UTC+8 all year.
  function beijing(ms) {
    var d = new Date(ms + 8 * 3600000);
    return two(d.getUTCHours()) + ":" + two(d.getUTCMinutes()) + ":" + two(d.getUTCSeconds());
  }
  var clock = document.getElementById("clock");
  function tick() { clock.textContent = beijing(Date.now()); }
  tick(); setInterval(tick, 1000);
  // The page arrives with its numbers; the style policy allows bars to be sized by script only.
  Array.prototype.forEach.call(root.querySelectorAll("[data-w]"), function (el) { el.style.width = el.getAttribute("data-w"); });
  Array.prototype.forEach.call(root.querySelectorAll("[data-left]"), function (el) { el.style.left = el.getAttribute("data-left"); });

  function pct(r) { return r.den > 0 ? (Math.round(r.num * 10000 / r.den) / 100).toFixed(2) + "%" : "—"; }
  function width(a, b) { return b > 0 && a > 0 ? Math.min(100, a * 100 / b) + "%" : "0%"; }
  var status = document.getElementById("status"), lastAt = 0;
  function say(text, bad) { status.textContent = text; status.className = bad ? "lost" : ""; }
  function lost() { say("连接中断，正在重连" + (lastAt ? " · 最后更新 " + beijing(lastAt) : ""), true); }
  function show(v, how) {
    var t = v.turnout;
    document.getElementById("used").textContent = t.total.used;
    document.getElementById("expected").textContent = t.total.expected;
    document.getElementById("rate").textContent = pct(t.total.participation);
    document.getElementById("bar").style.width = width(t.total.used, t.total.expected);
    document.getElementById("quorum-mark").style.left = width(t.quorum_needed, t.total.expected);
    document.getElementById("quorum").textContent = "法定人数 " + t.quorum_needed;
    var need = document.getElementById("need"), text = document.getElementById("need-text");
    need.className = t.quorum_met ? "need met" : "need";
    document.getElementById("need-label").textContent = (t.quorum_met ? "法定人数 " : "距法定人数 ") + t.quorum_needed + " 人";
    if (t.quorum_met) {
      text.textContent = "已达到法定人数";
    } else {
      text.textContent = "";
      var b = document.createElement("b");
      b.id = "short";
      b.textContent = t.quorum_needed - t.total.used;
      text.appendChild(document.createTextNode("还差 "));
      text.appendChild(b);
      text.appendChild(document.createTextNode(" 人"));
    }
    var st = document.getElementById("state");
    st.textContent = v.state_label; st.className = "state " + v.state;
    t.groups.forEach(function (g) {
      var el = root.querySelector('[data-group="' + g.group_id + '"]');
      if (!el) return;
      el.querySelector(".used").textContent = g.used;
      el.querySelector(".rate").textContent = pct(g.participation);
      el.querySelector(".bar i").style.width = width(g.used, g.expected);
    });
    lastAt = Date.now();
    say(how + " · 最后更新 " + beijing(lastAt));
  }
  // between ms and twice that: screens that lost the server together do not come back together
  function jitter(ms) { return ms + Math.floor(Math.random() * ms); }

  var polling = null;
  function poll() {
    fetch(root.getAttribute("data-poll"), { cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (v) { if (polling) show(v, "定时刷新中"); })
      .catch(function () { if (polling) lost(); });
  }
  function startPolling() {
    if (polling) return;
    polling = setTimeout(function tick() { poll(); polling = setTimeout(tick, jitter(3000)); }, jitter(500));
  }
  function stopPolling() { clearTimeout(polling); polling = null; }

  // A dropped stream is retried by the browser itself; one it gave up on, or that never
  // delivered (a proxy that buffers), is replaced by polling and tried again later.
  var reopen = null;
  function later() { if (!reopen) reopen = setTimeout(function () { reopen = null; connect(); }, jitter(10000)); }
  function connect() {
    if (!window.EventSource) { startPolling(); return; }
    var es = new EventSource(root.getAttribute("data-live")), delivered = false;
    var guard = setTimeout(function () {
      if (!delivered) { es.close(); lost(); startPolling(); later(); }
    }, 8000);
    es.addEventListener("turnout", function (e) {
      delivered = true;
      clearTimeout(guard);
      stopPolling();
      show(JSON.parse(e.data), "实时更新中");
    });
    es.addEventListener("failure", function () { delivered = true; clearTimeout(guard); say("暂时读不到人数，正在重试", true); });
    es.onerror = function () {
      lost();
      if (es.readyState === 2) { clearTimeout(guard); startPolling(); later(); } // CLOSED
    };
  }
  connect();
})();
