// Vanthu: small progressive enhancements; every page works without them.
(function () {
  "use strict";
  // Alt+1…5 jump to the main sections, as listed in the navigation.
  document.addEventListener("keydown", function (e) {
    if (!e.altKey || e.ctrlKey || e.metaKey) return;
    var link = document.querySelector('[data-hotkey="' + e.key + '"]');
    if (link) { e.preventDefault(); link.click(); }
  });
  // Ask before a form marked data-confirm is sent.
  document.addEventListener("submit", function (e) {
    var msg = e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
})();
