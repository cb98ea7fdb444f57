// Big screen: a clock and turnout, pushed over SSE, with polling when SSE is blocked.
(function () {
  "use strict";
  var root = document.getElementById("screen");
  if (!root) return;
  var beijing = window.minyiLive.beijing;
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
  window.minyiLive.follow({
    live: root.getAttribute("data-live"), poll: root.getAttribute("data-poll"),
    show: show, lost: lost,
    failure: function () { say("暂时读不到人数，正在重试", true); }
  });
})();
