// Voter page: the same rule as the server (one grade per subject) checked before submit,
// a progress count, and no double submit. Without JavaScript the server does all of it.
(function () {
  "use strict";
  var done = document.getElementById("done");
  if (done && window.history && history.replaceState) {
    // A reload of the confirmation asks the server again, which answers "already used".
    history.replaceState(null, "", location.href);
  }
  var form = document.getElementById("ballot");
  if (!form) return;
  var lines = Array.prototype.slice.call(form.querySelectorAll("[data-line]"));
  var progress = document.getElementById("progress");
  var box = document.getElementById("confirm-js");
  var accept = document.getElementById("accept-js");
  var button = form.querySelector("button[type=submit]");
  function answered(l) { return l.querySelectorAll("input:checked").length === 1; }
  function update() {
    var n = lines.filter(answered).length;
    progress.textContent = "已填 " + n + " / " + lines.length;
    lines.forEach(function (l) { if (answered(l)) l.classList.remove("missing"); });
  }
  form.addEventListener("change", update);
  update();
  form.addEventListener("submit", function (ev) {
    var missing = lines.filter(function (l) { return !answered(l); });
    if (missing.length && accept.disabled) {
      ev.preventDefault();
      missing.forEach(function (l) { l.classList.add("missing"); });
      box.querySelector("p").textContent = "还有 " + missing.length + " 项未选择等次，未选的项将按无效处理。可返回填写，或再次点击提交确认。";
      box.hidden = false;
      accept.disabled = false;
      accept.value = "1";
      button.textContent = "确认提交";
      missing[0].scrollIntoView({ behavior: "smooth", block: "center" });
      return;
    }
    if (button.dataset.sent) { ev.preventDefault(); return; }
    button.dataset.sent = "1";
    button.textContent = "正在提交…";
  });
  form.addEventListener("change", function () {
    if (!accept.disabled && lines.every(answered)) {
      accept.disabled = true; box.hidden = true; button.textContent = "提交选票";
    }
  });
})();
