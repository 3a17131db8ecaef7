// Vanthu: outgoing documents, made quicker. Every page works without it.
//
//   - the draft form: Ctrl+Enter saves;
//   - the circuit form: "Thêm bước" adds a review step (up to 10);
//   - version uploads: sent with a progress bar; a refused upload replaces
//     the page's content with the server's answer;
//   - the recipients' tracking: "Làm mới" reloads the table in place, and
//     it refreshes itself every minute while the page is visible.
(function () {
  "use strict";

  var MAX_STEPS = 10;
  var REFRESH_MS = 60000;

  function fileSize(n) {
    function one(x) { return x.toFixed(1).replace(".", ","); }
    if (n >= 1048576) return one(n / 1048576) + " MB";
    if (n >= 1024) return one(n / 1024) + " KB";
    return n + " byte";
  }

  // ---- Ctrl+Enter on the draft form ----
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey)) return;
    var form = e.target && e.target.closest ? e.target.closest("form[data-outgoing-form]") : null;
    if (!form) form = document.querySelector("form[data-outgoing-form]");
    if (!form) return;
    e.preventDefault();
    if (typeof form.requestSubmit === "function") form.requestSubmit();
    else form.submit();
  });

  // ---- The circuit: one more step ----
  function setupCircuit(form) {
    var box = form.querySelector("[data-steps]");
    if (!box) return;
    var add = document.createElement("button");
    add.type = "button";
    add.className = "btn";
    add.textContent = "Thêm bước";
    add.setAttribute("data-testid", "add-step");
    var hint = box.querySelector(".hint");
    box.insertBefore(add, hint);
    function count() { return box.querySelectorAll("[data-step]").length; }
    function update() { add.hidden = count() >= MAX_STEPS; }
    add.addEventListener("click", function () {
      var steps = box.querySelectorAll("[data-step]");
      var last = steps[steps.length - 1];
      var n = steps.length + 1;
      var copy = last.cloneNode(true);
      var label = copy.querySelector("label");
      var select = copy.querySelector("select");
      select.id = "circuit-step_" + n;
      select.name = "step_" + n;
      Array.prototype.forEach.call(select.options, function (o) { o.selected = false; });
      label.setAttribute("for", select.id);
      label.textContent = "Bước " + n;
      last.parentNode.insertBefore(copy, last.nextSibling);
      select.focus();
      update();
    });
    update();
  }

  // ---- Version uploads with progress ----
  function setupUpload(form) {
    var box = form.querySelector("[data-upload-progress]");
    var bar = box && box.querySelector("progress");
    var status = box && box.querySelector("[data-upload-status]");
    var sending = false;
    function say(t) { if (status) status.textContent = t; }
    form.addEventListener("submit", function (e) {
      if (typeof FormData !== "function" || typeof XMLHttpRequest !== "function") return;
      e.preventDefault();
      if (sending) return;
      sending = true;
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      if (box) { box.hidden = false; bar.value = 0; }
      say("Đang tải tệp lên…");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "text/html");
      // Asks for 201 with a Location instead of a redirect to follow.
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.upload.addEventListener("progress", function (ev) {
        if (!ev.lengthComputable || !bar) return;
        var pct = Math.floor(ev.loaded * 100 / ev.total);
        bar.value = pct;
        say("Đang tải lên " + pct + "% (" + fileSize(ev.loaded) + " / " + fileSize(ev.total) + ")…");
      });
      xhr.upload.addEventListener("load", function () {
        if (bar) bar.value = 100;
        say("Đã tải lên, đang kiểm tra tệp…");
      });
      xhr.addEventListener("load", function () {
        sending = false;
        if (button) button.disabled = false;
        var next = xhr.status === 201 ? xhr.getResponseHeader("Location") : "";
        if (next) {
          say("Đã lưu phiên bản mới.");
          window.location.assign(next);
          return;
        }
        replaceMain(xhr.responseText);
      });
      xhr.addEventListener("error", function () {
        sending = false;
        if (button) button.disabled = false;
        say("Mất kết nối với máy chủ nên tệp chưa được lưu; hãy thử lại.");
      });
      xhr.send(new FormData(form));
    });
  }

  function replaceMain(html) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var next = doc.querySelector("main");
    var main = document.querySelector("main");
    if (!next || !main) {
      document.open();
      document.write(html);
      document.close();
      return;
    }
    main.innerHTML = next.innerHTML;
    if (doc.title) document.title = doc.title;
    init(main);
    var target = main.querySelector("[aria-invalid=true]") || main.querySelector("[role=alert]");
    if (target) {
      if (!/^(INPUT|SELECT|TEXTAREA|BUTTON|A)$/.test(target.tagName)) target.setAttribute("tabindex", "-1");
      target.focus();
    }
  }

  // ---- Tracking ----
  function setupTracking(section) {
    var url = section.getAttribute("data-tracking-url");
    var busy = false;
    function refresh(announce) {
      if (busy) return;
      busy = true;
      var current = document.querySelector("[data-tracking-url]");
      var status = current && current.querySelector("[data-tracking-status]");
      if (announce && status) status.textContent = "Đang cập nhật…";
      fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
        .then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.text();
        })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          var fresh = doc.querySelector("[data-tracking-url]");
          var now = document.querySelector("[data-tracking-url]");
          if (fresh && now) {
            now.replaceWith(fresh);
            wire(fresh);
          }
        })
        .catch(function () {
          if (status) status.textContent = "Không cập nhật được; bấm Làm mới để thử lại.";
        })
        .then(function () { busy = false; });
    }
    function wire(sec) {
      var btn = sec.querySelector("[data-tracking-refresh]");
      if (btn) btn.addEventListener("click", function (e) { e.preventDefault(); refresh(true); });
    }
    wire(section);
    setInterval(function () {
      if (document.visibilityState === "visible") refresh(false);
    }, REFRESH_MS);
  }

  function init(root) {
    Array.prototype.forEach.call(root.querySelectorAll("form[data-circuit-form]:not([data-enhanced])"), function (f) {
      f.setAttribute("data-enhanced", "1");
      setupCircuit(f);
    });
    Array.prototype.forEach.call(root.querySelectorAll("form[data-upload-form]:not([data-enhanced])"), function (f) {
      f.setAttribute("data-enhanced", "1");
      setupUpload(f);
    });
  }

  function start() {
    init(document);
    var t = document.querySelector("[data-tracking-url]");
    if (t) setupTracking(t);
    var form = document.querySelector("form[data-outgoing-form]");
    if (form) form.setAttribute("data-enhanced", "1");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
