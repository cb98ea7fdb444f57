// The count page of a poll whose tellers count on their own devices: each teller's
// progress, refreshed every few seconds until the tally is there.
(function () {
  "use strict";
  var box = document.getElementById("device-count");
  if (!box) return;
  var note = document.getElementById("count-note");
  var list = document.getElementById("count-seats");
  var tally = document.getElementById("count-tally");
  var timer = null;
  function render(v) {
    list.textContent = "";
    (v.seats || []).forEach(function (s) {
      var li = document.createElement("li");
      li.textContent = s.teller + "：";
      var b = document.createElement("strong");
      b.textContent = s.label;
      b.className = s.done ? "seat-ready" : "seat-waiting";
      li.appendChild(b);
      list.appendChild(li);
    });
    if (v.state === "done") {
      note.textContent = "计票完成。";
      tally.hidden = false;
      var restart = document.getElementById("count-restart");
      if (restart) restart.hidden = true;
      clearInterval(timer);
    } else {
      note.textContent = "已开始开箱计票：请各位监票人打开自己的监票人链接，在本人设备上输入密钥份额开箱。已开箱 " + v.decrypted + " / " + v.quorum + " 位。";
    }
  }
  function load() {
    fetch(box.getAttribute("data-status"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(render)
      .catch(function () { note.textContent = "连接中断，正在重试……"; });
  }
  if (!tally.hidden) return;
  timer = setInterval(load, 2000);
})();
