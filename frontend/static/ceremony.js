// The poll page's list of tellers in the key ceremony: who is ready, refreshed every few
// seconds while the poll is a draft.
(function () {
  "use strict";
  var box = document.getElementById("ceremony");
  if (!box) return;
  var note = document.getElementById("ceremony-note");
  var list = document.getElementById("ceremony-seats");
  function render(v) {
    list.textContent = "";
    (v.seats || []).forEach(function (s) {
      var li = document.createElement("li");
      li.textContent = s.teller + "：";
      var b = document.createElement("strong");
      b.textContent = s.label;
      b.className = "seat-" + s.stage;
      li.appendChild(b);
      list.appendChild(li);
    });
    if (!v.started) {
      note.textContent = "尚未生成监票人链接。开始投票前，须由全部监票人生成密钥。";
    } else if (v.blocked) {
      note.textContent = v.blocked;
    } else if (v.ready) {
      note.textContent = "全部监票人已就绪，可以开始投票。密钥指纹：" + v.fingerprint;
    } else {
      var n = v.seats.filter(function (s) { return s.stage === "ready"; }).length;
      note.textContent = "已就绪 " + n + " / " + v.seats.length + " 位监票人。全部就绪后才能开始投票。";
    }
    box.setAttribute("data-ready", v.ready ? "1" : "0");
  }
  function load() {
    fetch(box.getAttribute("data-status"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(render)
      .catch(function () { note.textContent = "连接中断，正在重试……"; });
  }
  load();
  setInterval(load, 3000);
})();
