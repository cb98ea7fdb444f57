// Big screen: a clock and turnout, pushed over SSE, with polling when SSE is blocked.
(function () {
  "use strict";
  var root = document.getElementById("screen");
  if (!root) return;
  var beijing = window.minyiLive.beijing, text = window.minyiLive.text;
  // The page's words, in its language: data-t-* of the screen.
  function T(name) { return root.getAttribute("data-t-" + name) || ""; }
  var states = {};
  try { states = JSON.parse(T("states")) || {}; } catch (e) { states = {}; }
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
  function lost() { say(T("lost") + (lastAt ? " · " + text(T("since"), beijing(lastAt)) : ""), true); }
  function show(v, how) {
    var t = v.turnout;
    document.getElementById("used").textContent = t.total.used;
    document.getElementById("expected").textContent = t.total.expected;
    document.getElementById("rate").textContent = pct(t.total.participation);
    document.getElementById("bar").style.width = width(t.total.used, t.total.expected);
    document.getElementById("quorum-mark").style.left = width(t.quorum_needed, t.total.expected);
    document.getElementById("quorum").textContent = text(T("quorum"), t.quorum_needed);
    var need = document.getElementById("need"), needText = document.getElementById("need-text");
    need.className = t.quorum_met ? "need met" : "need";
    document.getElementById("need-label").textContent = text(T(t.quorum_met ? "quorum-of" : "to-quorum"), t.quorum_needed);
    if (t.quorum_met) {
      needText.textContent = T("met");
    } else {
      // the number stands in its own box, between the words of the page's language
      var parts = T("short").split("%d");
      needText.textContent = "";
      var b = document.createElement("b");
      b.id = "short";
      b.textContent = t.quorum_needed - t.total.used;
      needText.appendChild(document.createTextNode(parts[0]));
      needText.appendChild(b);
      needText.appendChild(document.createTextNode(parts.slice(1).join("")));
    }
    var st = document.getElementById("state");
    st.textContent = states[v.state] || v.state_label; st.className = "state " + v.state;
    (t.groups || []).forEach(function (g) {
      var el = root.querySelector('[data-group="' + g.group_id + '"]');
      if (!el) return;
      el.querySelector(".used").textContent = g.used;
      el.querySelector(".rate").textContent = pct(g.participation);
      el.querySelector(".bar i").style.width = width(g.used, g.expected);
    });
    (t.regions || []).forEach(function (r, i) {
      var el = root.querySelector('[data-region="' + i + '"]');
      if (!el) return;
      el.querySelector(".used").textContent = r.used;
      el.querySelector(".rate").textContent = pct(r.participation);
      el.querySelector(".bar i").style.width = width(r.used, r.expected);
    });
    lastAt = Date.now();
    say(how + " · " + text(T("since"), beijing(lastAt)));
  }
  window.minyiLive.follow({
    live: root.getAttribute("data-live"), poll: root.getAttribute("data-poll"),
    show: show, lost: lost, liveText: T("live"), pollText: T("polling"),
    failure: function () { say(T("failure"), true); }
  });
})();
