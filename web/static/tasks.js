// Vanthu tasks: small enhancements of the task forms; every form works
// without them.
//   - Ctrl+Enter sends the form the focus is in;
//   - a progress report with files is sent with an upload progress bar,
//     then the browser goes to the page the server names (201 + Location);
//     a refused report replaces the page's content with the server's answer.
(function () {
  "use strict";

  document.addEventListener("keydown", function (e) {
    if (e.key !== "Enter" || !(e.ctrlKey || e.metaKey)) return;
    var form = e.target && e.target.closest && e.target.closest("form");
    if (!form || !form.closest("main")) return;
    e.preventDefault();
    if (typeof form.requestSubmit === "function") form.requestSubmit();
    else form.submit();
  });

  function fileSize(n) {
    if (n >= 1048576) return (n / 1048576).toFixed(1).replace(".", ",") + " MB";
    if (n >= 1024) return (n / 1024).toFixed(1).replace(".", ",") + " KB";
    return n + " byte";
  }

  function enhanceUpload(form) {
    if (form.hasAttribute("data-enhanced")) return;
    form.setAttribute("data-enhanced", "1");
    var box = form.querySelector("[data-upload-progress]");
    var bar = box && box.querySelector("progress");
    var status = box && box.querySelector("[data-upload-status]");
    var sending = false;
    function say(text) { if (status) status.textContent = text; }

    form.addEventListener("submit", function (e) {
      var input = form.querySelector("input[type=file]");
      if (!input || !input.files || input.files.length === 0) return; // a plain POST is enough
      if (typeof FormData !== "function" || typeof XMLHttpRequest !== "function") return;
      e.preventDefault();
      if (sending) return;
      sending = true;
      var buttons = form.querySelectorAll("button[type=submit]");
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
      if (box) { box.hidden = false; bar.value = 0; }
      say("Đang tải tệp lên…");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "text/html");
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
        var next = xhr.status === 201 ? xhr.getResponseHeader("Location") : "";
        if (next) { window.location.assign(next); return; }
        var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
        var fresh = doc.querySelector("main");
        var main = document.querySelector("main");
        if (fresh && main) {
          main.innerHTML = fresh.innerHTML;
          var again = main.querySelector("form[data-upload-form]");
          if (again) enhanceUpload(again);
          var target = main.querySelector("[aria-invalid=true]") || main.querySelector("[role=alert]");
          if (target) {
            if (!target.hasAttribute("tabindex") && !/^(INPUT|SELECT|TEXTAREA|BUTTON|A)$/.test(target.tagName)) target.setAttribute("tabindex", "-1");
            target.focus();
          }
        }
        sending = false;
      });
      xhr.addEventListener("error", function () {
        sending = false;
        Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
        say("Mất kết nối với máy chủ nên tiến độ chưa được cập nhật; hãy gửi lại.");
      });
      xhr.send(new FormData(form));
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-upload-form]"), enhanceUpload);
})();
