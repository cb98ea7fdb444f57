// Live turnout's transport, shared by the poll page and the big screen: the SSE stream,
// and polling while the stream is blocked or refused. Each page draws what arrives.
(function () {
  "use strict";
  function two(n) { return (n < 10 ? "0" : "") + n; }
  // 北京时间 whatever the computer's time zone and language: China keeps UTC+8 all year.
  function beijing(ms) {
    var d = new Date(ms + 8 * 3600000);
    return two(d.getUTCHours()) + ":" + two(d.getUTCMinutes()) + ":" + two(d.getUTCSeconds());
  }
  // between ms and twice that: pages that lost the server together do not come back together
  function jitter(ms) { return ms + Math.floor(Math.random() * ms); }

  // follow keeps o.show(value, how) fed from o.live (SSE) or, failing that, o.poll; o.read
  // turns a polled answer into what the stream sends; o.lost and o.failure say a drop and
  // a server that cannot read the figures. how is o.liveText or o.pollText: the page says
  // them in its own language.
  function follow(o) {
    var polling = null;
    function poll() {
      fetch(o.poll, { cache: "no-store", headers: { Accept: "application/json" } })
        .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
        .then(function (v) { if (polling) o.show(o.read ? o.read(v) : v, o.pollText); })
        .catch(function () { if (polling) o.lost(); });
    }
    function startPolling() {
      if (polling) return;
      polling = setTimeout(function tick() { poll(); polling = setTimeout(tick, jitter(3000)); }, jitter(500));
    }
    function stopPolling() { clearTimeout(polling); polling = null; }

    // A dropped stream is retried by the browser itself (after the server's retry: delay);
    // one it gave up on, or that never delivered (a proxy that buffers), is replaced by
    // polling and tried again later. Form posts, downloads included, leave it alone.
    var leaving = false, reopen = null;
    window.addEventListener("pagehide", function () { leaving = true; });
    function later() { if (!reopen) reopen = setTimeout(function () { reopen = null; connect(); }, jitter(10000)); }
    function connect() {
      if (!window.EventSource) { startPolling(); return; }
      var es = new EventSource(o.live), delivered = false;
      var guard = setTimeout(function () {
        if (!delivered) { es.close(); o.lost(); startPolling(); later(); }
      }, 8000);
      es.addEventListener("turnout", function (e) {
        delivered = true;
        clearTimeout(guard);
        stopPolling();
        o.show(JSON.parse(e.data), o.liveText);
      });
      es.addEventListener("failure", function () { delivered = true; clearTimeout(guard); o.failure(); });
      es.onerror = function () {
        if (leaving) return;
        o.lost();
        if (es.readyState === 2) { clearTimeout(guard); startPolling(); later(); } // CLOSED
      };
    }
    connect();
  }
  // text fills a page's message with its arguments in turn: %s and %d alike.
  function text(msg) {
    var args = Array.prototype.slice.call(arguments, 1);
    return String(msg || "").replace(/%[sd]/g, function () { return args.length ? String(args.shift()) : ""; });
  }
  window.minyiLive = { follow: follow, beijing: beijing, text: text };
})();
