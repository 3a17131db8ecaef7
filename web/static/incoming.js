// Vanthu: the registration form of incoming documents, made quicker for
// clerks. Without this script the form is an ordinary multipart POST.
//
//   - files: drag and drop or choose, listed with their size and a remove
//     button; a hint when a file is over the size limit (the server decides);
//   - sending: XMLHttpRequest with an upload progress bar; once registered
//     the browser goes to the page the server names (201 + Location), a
//     refused form replaces the page's content and the chosen files stay
//     chosen;
//   - keyboard: Ctrl+Enter sends, Alt+N goes back to the first field;
//   - the issuing body suggests units on the platform and organisations seen
//     before (/api/v1/organisations), free text still allowed.
(function () {
  "use strict";

  var DEBOUNCE_MS = 200;
  var MIN_CHARS = 2;

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text != null) e.textContent = text;
    return e;
  }

  function fileSize(n) {
    function one(x) { return x.toFixed(1).replace(".", ","); }
    if (n >= 1048576) return one(n / 1048576) + " MB";
    if (n >= 1024) return one(n / 1024) + " KB";
    return n + " byte";
  }

  function currentForm() {
    return document.querySelector("form[data-incoming-form]");
  }

  // ---- Files ----

  function setupFiles(form, chosen) {
    var zone = form.querySelector("[data-dropzone]");
    if (!zone) return function () {};
    var input = zone.querySelector("input[type=file]");
    var area = zone.querySelector("[data-dropzone-area]") || zone;
    var list = zone.querySelector("[data-file-list]");
    var maxFile = parseInt(zone.getAttribute("data-max-file") || "0", 10);
    var isolated = zone.getAttribute("data-isolated") === "true";
    var conf = form.querySelector("select[name=confidentiality]");
    var secretNote = el("p", { "class": "hint secret-note", "data-testid": "secret-note" });
    secretNote.hidden = true;
    list.parentNode.insertBefore(secretNote, list.nextSibling);

    function key(f) { return f.name + "|" + f.size + "|" + f.lastModified; }

    function add(files) {
      var known = {};
      chosen.forEach(function (f) { known[key(f)] = true; });
      Array.prototype.forEach.call(files || [], function (f) {
        if (!known[key(f)]) { chosen.push(f); known[key(f)] = true; }
      });
      render();
    }

    function render() {
      list.textContent = "";
      chosen.forEach(function (f, i) {
        var li = el("li", { "data-testid": "chosen-file" });
        li.appendChild(el("span", { "class": "file-name" }, f.name));
        li.appendChild(el("span", { "class": "muted" }, " · " + fileSize(f.size)));
        if (maxFile > 0 && f.size > maxFile) {
          li.appendChild(el("span", { "class": "error" }, " · vượt quá " + fileSize(maxFile) + " cho một tệp, máy chủ sẽ từ chối"));
        }
        var remove = el("button", { type: "button", "class": "link", "aria-label": "Bỏ tệp " + f.name }, "Bỏ");
        remove.addEventListener("click", function () {
          chosen.splice(i, 1);
          render();
          input.focus();
        });
        li.appendChild(document.createTextNode(" "));
        li.appendChild(remove);
        list.appendChild(li);
      });
      var secret = conf && conf.value !== "none" && chosen.length > 0 && !isolated;
      secretNote.hidden = !secret;
      secretNote.textContent = secret
        ? "Văn bản từ Mật trở lên chỉ được vào sổ thông tin: hãy bỏ các tệp đính kèm trước khi vào sổ."
        : "";
    }

    input.addEventListener("change", function () {
      add(input.files);
      // The list holds the files now; the input is free for more.
      try { input.value = ""; } catch (e) { /* old browsers */ }
    });
    ["dragenter", "dragover"].forEach(function (t) {
      area.addEventListener(t, function (e) {
        e.preventDefault();
        area.classList.add("dragover");
      });
    });
    ["dragleave", "dragend"].forEach(function (t) {
      area.addEventListener(t, function () { area.classList.remove("dragover"); });
    });
    area.addEventListener("drop", function (e) {
      e.preventDefault();
      area.classList.remove("dragover");
      if (e.dataTransfer) add(e.dataTransfer.files);
    });
    area.addEventListener("click", function (e) {
      if (e.target === area || (e.target.classList && e.target.classList.contains("dropzone-note"))) input.click();
    });
    if (conf) conf.addEventListener("change", render);
    render();
    return render;
  }

  // ---- Hỏa tốc hẹn giờ ----

  function setupPriority(form) {
    var sel = form.querySelector("select[name=priority]");
    var box = form.querySelector("[data-priority-time]");
    if (!sel || !box) return;
    var input = box.querySelector("input");
    function update() {
      box.hidden = sel.value !== "hoa_toc_hen_gio" && !input.value && !box.classList.contains("invalid");
    }
    sel.addEventListener("change", update);
    update();
  }

  // ---- Issuing body suggestions ----

  function setupOrgan(form) {
    var input = form.querySelector("input[data-organ-autocomplete]");
    var hidden = form.querySelector("input[data-organ-unit-id]");
    if (!input) return;
    var listId = input.id + "-listbox";
    var box = el("div", { "class": "combo" });
    input.parentNode.insertBefore(box, input);
    box.appendChild(input);
    var list = el("ul", { id: listId, role: "listbox", "class": "combo-list", "aria-label": "Cơ quan gợi ý", "data-testid": "organ-listbox" });
    list.hidden = true;
    box.appendChild(list);
    var status = el("span", { "class": "hint", role: "status", "aria-live": "polite" });
    box.parentNode.insertBefore(status, box.nextSibling);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var options = [], active = -1, timer = null, request = 0, swallowEnter = false;

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function open() {
      if (!options.length) return;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }
    function highlight(i) {
      var items = list.querySelectorAll("[role=option]");
      if (!items.length) return;
      if (i < 0) i = items.length - 1;
      if (i >= items.length) i = 0;
      active = i;
      Array.prototype.forEach.call(items, function (o, k) {
        o.setAttribute("aria-selected", k === i ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", items[i].id);
      if (items[i].scrollIntoView) items[i].scrollIntoView({ block: "nearest" });
    }
    function choose(i) {
      var o = options[i];
      if (!o) return;
      input.value = o.name;
      if (hidden) hidden.value = o.unit_id ? String(o.unit_id) : "";
      status.textContent = "Đã chọn " + o.name + ".";
      close();
    }
    function render(items) {
      list.textContent = "";
      options = items;
      active = -1;
      if (!items.length) { close(); status.textContent = ""; return; }
      items.forEach(function (o, i) {
        var li = el("li", { role: "option", id: listId + "-opt-" + i, "aria-selected": "false" });
        li.appendChild(el("span", null, o.name));
        li.appendChild(el("small", { "class": "muted" }, o.unit_id ? " · đơn vị trên hệ thống" : " · cơ quan bên ngoài"));
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });
        li.addEventListener("click", function () { choose(i); });
        list.appendChild(li);
      });
      status.textContent = items.length + " gợi ý. Dùng phím mũi tên để chọn, hoặc cứ nhập tên mới.";
      open();
    }
    function search() {
      var q = input.value.trim();
      if (q.length < MIN_CHARS) { render([]); return; }
      var n = ++request;
      fetch("/api/v1/organisations?q=" + encodeURIComponent(q), {
        credentials: "same-origin", headers: { Accept: "application/json" }
      }).then(function (r) {
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      }).then(function (data) {
        if (n === request && document.activeElement === input) render((data && data.items) || []);
      }).catch(function () {
        if (n === request) render([]);
      });
    }
    input.addEventListener("input", function () {
      if (hidden) hidden.value = ""; // typed text: an outside organisation until one is chosen
      clearTimeout(timer);
      timer = setTimeout(search, DEBOUNCE_MS);
    });
    input.addEventListener("keydown", function (e) {
      var isOpen = !list.hidden;
      switch (e.key) {
        case "ArrowDown": e.preventDefault(); open(); highlight(active + 1); break;
        case "ArrowUp": e.preventDefault(); open(); highlight(active - 1); break;
        case "Enter":
          swallowEnter = isOpen && active >= 0;
          if (swallowEnter) { e.preventDefault(); choose(active); }
          break;
        case "Escape": if (isOpen) { e.preventDefault(); close(); } break;
        case "Tab": close(); break;
      }
    });
    input.addEventListener("keypress", function (e) {
      if (e.key === "Enter" && swallowEnter) e.preventDefault();
    });
    input.addEventListener("keyup", function (e) { if (e.key === "Enter") swallowEnter = false; });
    input.addEventListener("blur", close);
  }

  // ---- Sending with progress ----

  function setupSubmit(form, chosen) {
    var progressBox = form.querySelector("[data-upload-progress]");
    var bar = progressBox && progressBox.querySelector("progress");
    var status = progressBox && progressBox.querySelector("[data-upload-status]");
    var sending = false;

    function say(text) { if (status) status.textContent = text; }

    form.addEventListener("submit", function (e) {
      if (typeof FormData !== "function" || typeof XMLHttpRequest !== "function") return; // normal POST
      e.preventDefault();
      if (sending) return;
      var fd = new FormData(form);
      fd.delete("files");
      chosen.forEach(function (f) { fd.append("files", f, f.name); });
      var submitter = e.submitter;
      if (submitter && submitter.name) fd.append(submitter.name, submitter.value);

      var buttons = form.querySelectorAll("button[type=submit]");
      function busy(on) {
        sending = on;
        Array.prototype.forEach.call(buttons, function (b) { b.disabled = on; });
        form.setAttribute("aria-busy", on ? "true" : "false");
      }
      busy(true);
      if (progressBox) { progressBox.hidden = false; bar.value = 0; }
      say(chosen.length ? "Đang tải tệp lên…" : "Đang vào sổ…");

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
        say("Đã tải lên, đang kiểm tra tệp và cấp số đến…");
      });
      xhr.addEventListener("load", function () {
        var next = xhr.status === 201 ? xhr.getResponseHeader("Location") : "";
        if (!next && xhr.status >= 200 && xhr.status < 300) {
          // A redirect was followed after all (a proxy, an older server).
          var landed = xhr.responseURL || "";
          if (landed && landed.replace(/[?#].*$/, "") !== form.action.replace(/[?#].*$/, "")) next = landed;
        }
        if (next) {
          say("Đã vào sổ.");
          window.location.assign(next);
          return;
        }
        busy(false);
        showResponse(xhr.responseText, chosen);
      });
      xhr.addEventListener("error", function () {
        busy(false);
        say("Mất kết nối với máy chủ nên văn bản chưa được vào sổ. Các thông tin và tệp vẫn còn trên trang; hãy bấm Vào sổ lại.");
      });
      xhr.addEventListener("abort", function () { busy(false); say("Đã hủy gửi."); });
      xhr.send(fd);
    });
  }

  // showResponse puts a refused form (or an error page) in place of the
  // page's content; the chosen files stay chosen.
  function showResponse(html, chosen) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var next = doc.querySelector("main");
    var main = document.querySelector("main");
    if (!next || !main) {
      document.documentElement.innerHTML = doc.documentElement ? doc.documentElement.innerHTML : html;
      return;
    }
    main.innerHTML = next.innerHTML;
    if (doc.title) document.title = doc.title;
    var form = currentForm();
    if (form) {
      init(form, chosen);
      if (chosen.length) {
        var again = document.querySelector("[data-files-again]");
        if (again) again.hidden = true;
      }
    }
    var target = main.querySelector("[aria-invalid=true]") || main.querySelector("[role=alert]");
    if (target) {
      if (!target.hasAttribute("tabindex") && !/^(INPUT|SELECT|TEXTAREA|BUTTON|A)$/.test(target.tagName)) target.setAttribute("tabindex", "-1");
      target.focus();
    } else {
      main.focus();
    }
    window.scrollTo(0, 0);
  }

  function init(form, preserved) {
    if (form.hasAttribute("data-enhanced")) return;
    form.setAttribute("data-enhanced", "1");
    var chosen = preserved || [];
    setupFiles(form, chosen);
    setupPriority(form);
    setupOrgan(form);
    setupSubmit(form, chosen);
  }

  // Shortcuts, for whichever form is on the page.
  document.addEventListener("keydown", function (e) {
    var form = currentForm();
    if (!form) return;
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      if (typeof form.requestSubmit === "function") form.requestSubmit();
      else form.dispatchEvent(new Event("submit", { cancelable: true }));
      return;
    }
    if (e.altKey && !e.ctrlKey && !e.metaKey && (e.code === "KeyN" || e.key === "n" || e.key === "N")) {
      var first = form.querySelector("[data-first-field]");
      if (first) { e.preventDefault(); first.focus(); if (first.select) first.select(); }
    }
  });

  function start() {
    var form = currentForm();
    if (form) init(form, []);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
