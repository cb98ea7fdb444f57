// The poll page's forms for issuing slips (every group's at once, or one group's): the
// number follows the chosen group, and the slips are fetched with every button held down,
// so a second click cannot issue a second batch; the page then reloads for the next batch
// (a fresh form, a fresh key). Without this script the forms post as they are, and the
// server fills a blank number and refuses a second post of the same page's key.
(function () {
  "use strict";
  var form = document.getElementById("issue-form");
  if (!form || !window.fetch || !window.URLSearchParams) return;
  var forms = [form];
  var whole = document.getElementById("issue-all-form");
  if (whole) forms.unshift(whole);
  var group = form.elements.group_id, count = form.elements.count;
  var status = document.getElementById("issue-status");
  function follow() {
    var due = group.options[group.selectedIndex].getAttribute("data-due");
    count.value = due > 0 ? due : "";
  }
  follow();
  group.addEventListener("change", follow);

  var buttons = document.querySelectorAll(".issue-form button");
  var busy = false;
  function say(msg, link) {
    status.textContent = msg;
    if (link) {
      var a = document.createElement("a");
      a.href = location.pathname + "#batches";
      a.textContent = link;
      a.addEventListener("click", function () { location.reload(); });
      status.appendChild(document.createTextNode(" "));
      status.appendChild(a);
    }
  }
  // release gives the buttons back their words; enabled again only when nothing was issued.
  function release(enable) {
    buttons.forEach(function (b) {
      b.disabled = !enable;
      if (b.hasAttribute("data-label")) b.textContent = b.getAttribute("data-label");
    });
    busy = !enable;
  }
  function fileName(res) {
    var m = /filename\*=UTF-8''([^;]+)/.exec(res.headers.get("Content-Disposition") || "");
    return m ? decodeURIComponent(m[1]) : "投票凭证.pdf";
  }
  function submit(ev) {
    var form = ev.currentTarget;
    ev.preventDefault();
    if (busy) return;
    busy = true;
    var body = new URLSearchParams(new FormData(form));
    var pressed = ev.submitter;
    if (pressed && pressed.name) body.append(pressed.name, pressed.value);
    buttons.forEach(function (b) { b.disabled = true; });
    if (pressed) { pressed.setAttribute("data-label", pressed.textContent); pressed.textContent = "正在生成…"; }
    say("正在生成凭证，请稍候，不要关闭或刷新本页…");
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (res) {
        if (!res.ok) {
          return res.json().then(function (e) {
            var err = e.error || {};
            if (err.code === "repeated") {
              release(false);
              say(err.message, "刷新页面查看凭证批次");
              return;
            }
            release(true);
            say(err.message || "生成失败，请重试");
          }, function () { release(true); say("生成失败（" + res.status + "），请重试"); });
        }
        return res.blob().then(function (blob) {
          var a = document.createElement("a");
          a.href = URL.createObjectURL(blob);
          a.download = fileName(res);
          document.body.appendChild(a);
          a.click();
          say("已生成并下载“" + a.download + "”。页面即将刷新，以便生成下一批。");
          // Give the browser a moment to take the file before the page goes.
          setTimeout(function () { location.reload(); }, 1500);
        });
      }, function () {
        // The post may or may not have reached the server. Sending the same form again is
        // safe: its key issues once, so a second try either issues or says it was issued.
        release(true);
        say("网络中断，无法确认凭证是否已生成。请再点一次：如果已经生成，系统会提示，不会重复生成。");
      });
  }
  forms.forEach(function (f) { f.addEventListener("submit", submit); });
})();
