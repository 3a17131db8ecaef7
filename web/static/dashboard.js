// Vanthu dashboard: the print button (inline handlers are not allowed by
// the content security policy).
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var b = e.target.closest && e.target.closest("[data-print]");
    if (b) {
      e.preventDefault();
      window.print();
    }
  });
})();
