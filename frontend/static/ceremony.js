// The poll page's list of tellers in the key ceremony: who is ready, refreshed every few
// seconds while the poll is a draft.
(function () {
  "use strict";
  var box = document.getElementById("ceremony");
  if (!box) return;
  var note = document.getElementById("ceremony-note");
  var list = document.getElementById("ceremony-seats");
  // The page's words, in its language: data-t-* of the section.
  function T(name) {
    var args = Array.prototype.slice.call(arguments, 1);
    return (box.getAttribute("data-t-" + name) || "").replace(/%[sd]/g, function () { return args.length ? String(args.shift()) : ""; });
  }
  function render(v) {
    list.textContent = "";
    (v.seats || []).forEach(function (s) {
      var li = document.createElement("li");
      li.textContent = s.teller + T("sep");
      var b = document.createElement("strong");
      b.textContent = s.label;
      b.className = "seat-" + s.stage;
      li.appendChild(b);
      list.appendChild(li);
    });
    if (!v.started) {
      note.textContent = T("none");
    } else if (v.blocked) {
      note.textContent = v.blocked;
    } else if (v.ready) {
      note.textContent = T("ready", v.fingerprint);
    } else {
      var n = v.seats.filter(function (s) { return s.stage === "ready"; }).length;
      note.textContent = T("progress", n, v.seats.length);
    }
    box.setAttribute("data-ready", v.ready ? "1" : "0");
  }
  function load() {
    fetch(box.getAttribute("data-status"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(render)
      .catch(function () { note.textContent = T("lost"); });
  }
  // The page carries the state it was made with: shown at once, the card does not grow a
  // moment after the page appears and move what is below it (a tap on its button then
  // lands beside it). The state is read again every few seconds.
  var initial = box.getAttribute("data-initial");
  if (initial) {
    try { render(JSON.parse(initial)); } catch (e) { load(); }
  } else {
    load();
  }
  setInterval(load, 3000);
})();
