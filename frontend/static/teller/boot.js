// The teller page's code is a module that imports the cryptography; when one of those
// files does not arrive (a connection dropped on a phone, a busy server), the module never
// runs and the page would say it is loading its progress for ever. A deferred script runs
// after the module scripts before it, whether they ran or failed: if the page's code has
// not started by then, the page is loaded once more (its secrets are kept in the tab's
// sessionStorage, so a reload loses nothing), and if it fails again the page says so.
(function () {
  'use strict';
  var again = 'minyi-teller-reloaded:' + location.pathname;
  if (document.documentElement.dataset.tellerStarted) {
    // Started: a later failure to load may be reloaded once again.
    try {
      sessionStorage.removeItem(again);
    } catch (e) {}
    return;
  }
  var reloaded = false;
  try {
    reloaded = sessionStorage.getItem(again) === '1';
    if (!reloaded) sessionStorage.setItem(again, '1');
  } catch (e) {
    reloaded = true; // no storage: no way to know a reload was tried; do not loop
  }
  if (!reloaded) {
    location.reload();
    return;
  }
  var texts = {};
  try {
    texts = JSON.parse(document.getElementById('teller-texts').textContent);
  } catch (e) {}
  var status = document.getElementById('status');
  if (status) status.textContent = texts.notLoaded || '';
})();
