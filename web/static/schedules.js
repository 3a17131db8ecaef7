// Vanthu work schedules: week shortcuts and the unit and week pickers.
// Every page works without this script.
(function () {
  "use strict";
  // [ and ] move a week back and forward, T returns to this week; Alt+PageUp
  // and Alt+PageDown do the same for keyboards without brackets. Keys typed
  // into a field are left alone.
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)))) return;
    var sel = null;
    if (!e.altKey && e.key === "[") sel = "[data-week-prev]";
    else if (!e.altKey && e.key === "]") sel = "[data-week-next]";
    else if (!e.altKey && (e.key === "t" || e.key === "T")) sel = "[data-week-this]";
    else if (e.altKey && e.key === "PageUp") sel = "[data-week-prev]";
    else if (e.altKey && e.key === "PageDown") sel = "[data-week-next]";
    var link = sel && document.querySelector(sel);
    if (link) { e.preventDefault(); link.click(); }
  });
  // Choosing a unit or a week opens it.
  document.querySelectorAll("[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () {
      if (el.type === "week" && !el.value) return;
      if (el.form) el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
    });
  });
})();
