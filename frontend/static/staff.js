// Staff pages: confirmation before irreversible actions, and printing.
(function () {
  "use strict";
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) ev.preventDefault();
  });
  document.addEventListener("click", function (ev) {
    if (ev.target.hasAttribute("data-print")) window.print();
  });
})();
