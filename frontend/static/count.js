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
  // The page's words, in its language: "{1}" and "{2}" stand for the numbers.
  function say(name, a, b) {
    return box.getAttribute("data-" + name).replace("{1}", a).replace("{2}", b);
  }
  function render(v) {
    list.textContent = "";
    (v.seats || []).forEach(function (s) {
      var li = document.createElement("li");
      li.textContent = say("seat", s.teller);
      var b = document.createElement("strong");
      b.textContent = s.label;
      b.className = s.done ? "seat-ready" : "seat-waiting";
      li.appendChild(b);
      list.appendChild(li);
    });
    if (v.state === "done") {
      note.textContent = say("done");
      tally.hidden = false;
      var restart = document.getElementById("count-restart");
      if (restart) restart.hidden = true;
      clearInterval(timer);
    } else {
      note.textContent = say("open", v.decrypted, v.quorum);
    }
  }
  function load() {
    fetch(box.getAttribute("data-status"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(render)
      .catch(function () { note.textContent = say("lost"); });
  }
  if (!tally.hidden) return;
  timer = setInterval(load, 2000);
})();
