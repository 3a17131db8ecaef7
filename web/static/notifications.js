// Vanthu: keeps the header's unread-notification count fresh. The count
// the page was rendered with is right without this script.
(function () {
  "use strict";
  var bell = document.getElementById("bell");
  if (!bell || !window.fetch) return;
  var badge = bell.querySelector(".bell-count");
  var live = document.getElementById("bell-live");
  var current = parseInt(bell.getAttribute("data-count"), 10) || 0;

  // Every request refreshes the session, so polling must not keep an idle
  // session alive: poll only while the page is visible and only when the
  // person did something since the last poll.
  var used = false;
  ["keydown", "pointerdown", "pointermove", "wheel", "scroll", "focusin"].forEach(function (ev) {
    window.addEventListener(ev, function () { used = true; }, { passive: true, capture: true });
  });

  function label(n) {
    return n === 0 ? "Thông báo, không có thông báo chưa đọc" : "Thông báo, " + n + " chưa đọc";
  }

  function show(n) {
    if (n === current) return;
    var more = n > current;
    current = n;
    bell.setAttribute("data-count", String(n));
    bell.setAttribute("aria-label", label(n));
    badge.textContent = n > 99 ? "99+" : String(n);
    badge.hidden = n === 0;
    // Announce new notifications politely; a count going down needs no words.
    if (more && live) live.textContent = "Có thông báo mới: " + n + " thông báo chưa đọc.";
  }

  var timer = null;
  function poll() {
    if (document.hidden || !used) return;
    used = false;
    fetch("/api/v1/notifications?limit=1", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) {
        if (r.status === 401) { window.clearInterval(timer); return null; } // signed out: stop quietly
        return r.ok ? r.json() : null;
      })
      .then(function (d) { if (d && typeof d.unread_count === "number") show(d.unread_count); })
      .catch(function () { /* offline for a moment: try again next time */ });
  }
  timer = window.setInterval(poll, 60000);
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { used = true; poll(); }
  });
})();
