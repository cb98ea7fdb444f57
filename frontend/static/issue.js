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
  // The page's words, in its language: data-t-* of the group's form.
  function T(name) {
    var args = Array.prototype.slice.call(arguments, 1);
    return (form.getAttribute("data-t-" + name) || "").replace(/%[sd]/g, function () { return args.length ? String(args.shift()) : ""; });
  }
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
    return m ? decodeURIComponent(m[1]) : T("file");
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
    if (pressed) { pressed.setAttribute("data-label", pressed.textContent); pressed.textContent = T("busy"); }
    say(T("wait"));
    fetch(form.action, { method: "POST", body: body, credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (res) {
        if (!res.ok) {
          return res.json().then(function (e) {
            var err = e.error || {};
            if (err.code === "repeated") {
              release(false);
              say(err.message, T("refresh"));
              return;
            }
            release(true);
            say(err.message || T("failed"));
          }, function () { release(true); say(T("failed-status", res.status)); });
        }
        return res.blob().then(function (blob) {
          var a = document.createElement("a");
          a.href = URL.createObjectURL(blob);
          a.download = fileName(res);
          document.body.appendChild(a);
          a.click();
          say(T("done", a.download));
          // Give the browser a moment to take the file before the page goes.
          setTimeout(function () { location.reload(); }, 1500);
        });
      }, function () {
        // The post may or may not have reached the server. Sending the same form again is
        // safe: its key issues once, so a second try either issues or says it was issued.
        release(true);
        say(T("offline"));
      });
  }
  forms.forEach(function (f) { f.addEventListener("submit", submit); });
})();
