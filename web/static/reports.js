// Vanthu: digital reports. Every page works without this script; with it
//
//   - a report's form saves itself as the person types (debounced; Ctrl+S
//     at once) and says "Đã lưu lúc hh:mm"; the server's per-field messages
//     appear at once;
//   - tables get a "Thêm dòng" button;
//   - an attachment uploads as soon as it is chosen, with a progress bar;
//   - the template form adds field rows and shows only the settings that
//     fit each field's kind and the chosen recipients;
//   - buttons with data-confirm ask first; data-print prints.
(function () {
  "use strict";

  var SAVE_DELAY_MS = 1200;

  function $all(root, sel) { return Array.prototype.slice.call(root.querySelectorAll(sel)); }

  // ---- Confirmations and printing ----

  document.addEventListener("submit", function (e) {
    var b = e.submitter;
    var msg = b && b.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) e.preventDefault();
  });
  document.addEventListener("click", function (e) {
    var t = e.target.closest && e.target.closest("[data-print]");
    if (t) { e.preventDefault(); window.print(); }
  });

  // ---- A report's form ----

  function setupReportForm(form) {
    var url = form.getAttribute("data-autosave");
    var status = form.querySelector("[data-autosave-status]");
    var timer = null;
    var inFlight = false;
    var again = false;

    function say(text, bad) {
      if (!status) return;
      status.textContent = text;
      status.classList.toggle("error", !!bad);
    }

    function body() {
      var data = new FormData(form);
      var params = new URLSearchParams();
      data.forEach(function (v, k) { if (typeof v === "string") params.append(k, v); });
      return params;
    }

    // Table rows that hold something, in order: the server numbers table
    // rows that way (blank rows are dropped).
    function filledRows(key) {
      var table = form.querySelector('[data-table="' + key + '"]');
      if (!table) return [];
      return $all(table, "tbody tr").filter(function (tr) {
        return $all(tr, "input").some(function (i) { return i.value.trim() !== ""; });
      });
    }

    function showErrors(errors, tableMessages) {
      $all(form, "[data-error-for]").forEach(function (el) {
        var key = el.getAttribute("data-error-for");
        var msg = errors[key] || "";
        el.textContent = msg;
        el.hidden = msg === "";
        var item = el.closest("[data-item]");
        if (item) item.classList.toggle("invalid", msg !== "");
        var input = item && item.querySelector("#v-" + key);
        if (input) {
          if (msg) input.setAttribute("aria-invalid", "true"); else input.removeAttribute("aria-invalid");
        }
      });
      $all(form, "[data-cell-errors]").forEach(function (list) {
        var key = list.getAttribute("data-cell-errors");
        list.textContent = "";
        (tableMessages[key] || []).forEach(function (m) {
          var li = document.createElement("li");
          li.className = "error";
          li.textContent = m;
          list.appendChild(li);
        });
        var rows = filledRows(key);
        var table = form.querySelector('[data-table="' + key + '"]');
        $all(table, "input").forEach(function (i) { i.removeAttribute("aria-invalid"); });
        Object.keys(errors).forEach(function (path) {
          var m = path.match(/^(.+)\[(\d+)\]\.(c\d+)$/);
          if (!m || m[1] !== key) return;
          var tr = rows[parseInt(m[2], 10)];
          var input = tr && tr.querySelector('input[name$="].' + m[3] + '"]');
          if (input) input.setAttribute("aria-invalid", "true");
        });
      });
    }

    function save() {
      timer = null;
      if (inFlight) { again = true; return; }
      inFlight = true;
      say("Đang lưu…");
      fetch(url, {
        method: "POST",
        headers: { "Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded" },
        body: body().toString(),
        credentials: "same-origin"
      }).then(function (r) {
        return r.json().then(function (j) { return { ok: r.ok, j: j }; });
      }).then(function (res) {
        if (!res.ok) {
          say(res.j.detail || "Chưa lưu được bản nháp.", true);
          return;
        }
        say(res.j.saved_label);
        showErrors(res.j.errors || {}, res.j.table_errors || {});
      }).catch(function () {
        say("Chưa lưu được bản nháp (mất kết nối?); sẽ thử lại khi bạn gõ tiếp.", true);
      }).then(function () {
        inFlight = false;
        if (again) { again = false; schedule(); }
      });
    }

    function schedule() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, SAVE_DELAY_MS);
      say("Đang chờ lưu…");
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    form.addEventListener("submit", function () {
      if (timer) { clearTimeout(timer); timer = null; }
    });
    // Leaving with a save pending: send it on the way out.
    window.addEventListener("pagehide", function () {
      if (timer && navigator.sendBeacon) {
        clearTimeout(timer);
        timer = null;
        navigator.sendBeacon(url, body());
      }
    });
    // Ctrl+S saves now (instead of the browser saving the page).
    form.addEventListener("keydown", function (e) {
      if ((e.ctrlKey || e.metaKey) && (e.key === "s" || e.key === "S")) {
        e.preventDefault();
        if (timer) clearTimeout(timer);
        save();
      }
    });
    form.flushDraft = function () {
      if (timer) { clearTimeout(timer); save(); }
    };

    // Tables: "Thêm dòng" clones the last row, empty.
    $all(form, "[data-add-row]").forEach(function (btn) {
      btn.hidden = false;
      btn.addEventListener("click", function () {
        var key = btn.getAttribute("data-add-row");
        var tbody = form.querySelector('[data-table="' + key + '"] tbody');
        var rows = $all(tbody, "tr");
        var last = rows[rows.length - 1];
        var copy = last.cloneNode(true);
        var n = rows.length;
        $all(copy, "input").forEach(function (i) {
          i.value = "";
          i.removeAttribute("aria-invalid");
          i.name = i.name.replace(/\[\d+\]/, "[" + n + "]");
          var label = i.getAttribute("aria-label");
          if (label) i.setAttribute("aria-label", label.replace(/dòng \d+$/, "dòng " + (n + 1)));
        });
        var no = copy.querySelector("[data-row-no]");
        if (no) no.textContent = String(n + 1);
        tbody.appendChild(copy);
        var first = copy.querySelector("input");
        if (first) first.focus();
      });
    });

    // Attachments upload when chosen.
    $all(document, "input[type=file][data-upload]").forEach(function (input) {
      var key = input.getAttribute("data-upload");
      var upForm = document.getElementById("upload-" + key);
      var button = document.querySelector('[data-upload-button="' + key + '"]');
      var bar = document.querySelector('[data-upload-progress="' + key + '"]');
      if (!upForm) return;
      if (button) button.hidden = true;
      input.addEventListener("change", function () {
        if (!input.files || input.files.length === 0) return;
        form.flushDraft();
        var data = new FormData(upForm);
        data.append("file", input.files[0]);
        var xhr = new XMLHttpRequest();
        xhr.open("POST", upForm.action);
        xhr.setRequestHeader("Accept", "application/json");
        if (bar) { bar.hidden = false; bar.value = 0; }
        xhr.upload.addEventListener("progress", function (ev) {
          if (bar && ev.lengthComputable) bar.value = Math.round(ev.loaded * 100 / ev.total);
        });
        xhr.addEventListener("load", function () {
          if (xhr.status >= 200 && xhr.status < 300) {
            window.location.reload();
            return;
          }
          var msg = "Chưa tải được tệp lên.";
          try { msg = JSON.parse(xhr.responseText).detail || msg; } catch (e) { /* not JSON */ }
          var err = form.querySelector('[data-error-for="' + key + '"]');
          if (err) { err.textContent = msg; err.hidden = false; }
          if (bar) bar.hidden = true;
          input.value = "";
        });
        xhr.addEventListener("error", function () {
          var err = form.querySelector('[data-error-for="' + key + '"]');
          if (err) { err.textContent = "Mất kết nối khi tải tệp lên; vui lòng thử lại."; err.hidden = false; }
          if (bar) bar.hidden = true;
        });
        xhr.send(data);
      });
    });
  }

  // ---- The template form ----

  function setupTemplateForm(form) {
    var box = form.querySelector("[data-field-rows]");
    var count = form.querySelector("[data-fields-count]");
    var add = form.querySelector("[data-add-field]");

    function showKind(row) {
      var sel = row.querySelector("[data-field-kind]");
      var kind = sel ? sel.value : "";
      $all(row, "[data-kind-only]").forEach(function (el) {
        el.hidden = el.getAttribute("data-kind-only") !== kind;
      });
    }

    function setupRow(row) {
      var sel = row.querySelector("[data-field-kind]");
      if (sel) sel.addEventListener("change", function () { showKind(row); });
      showKind(row);
    }

    $all(form, "[data-field-row]").forEach(setupRow);

    if (add) {
      add.addEventListener("click", function (e) {
        e.preventDefault();
        var rows = $all(box, "[data-field-row]");
        var last = rows[rows.length - 1];
        var copy = last.cloneNode(true);
        var n = rows.length;
        $all(copy, "[name]").forEach(function (el) {
          el.name = el.name.replace(/^fields\[\d+\]/, "fields[" + n + "]");
          if (el.id) el.id = el.id.replace(/^fields-\d+-/, "fields-" + n + "-");
          if (el.type === "checkbox") el.checked = false;
          else if (el.tagName === "SELECT") el.selectedIndex = 0;
          else el.value = "";
        });
        $all(copy, "label[for]").forEach(function (l) {
          l.htmlFor = l.htmlFor.replace(/^fields-\d+-/, "fields-" + n + "-");
        });
        $all(copy, ".error").forEach(function (el) { el.remove(); });
        $all(copy, ".field.invalid").forEach(function (el) { el.classList.remove("invalid"); });
        // A new field has no key yet, so nothing to remove.
        $all(copy, 'input[name$=".remove"]').forEach(function (el) { el.closest("label").remove(); });
        var legend = copy.querySelector("legend");
        if (legend) legend.textContent = "Trường " + (n + 1);
        copy.setAttribute("data-testid", "field-row-" + n);
        $all(copy, "[data-testid]").forEach(function (el) {
          el.setAttribute("data-testid", el.getAttribute("data-testid").replace(/-\d+$/, "-" + n));
        });
        last.parentNode.insertBefore(copy, last.nextSibling);
        if (count) count.value = String(n + 1);
        setupRow(copy);
        var label = copy.querySelector('input[name$=".label"]');
        if (label) label.focus();
      });
    }

    // Recipients: the level for "subtree", the picker for "list".
    var radios = $all(form, "input[name=recipients_kind]");
    var level = form.querySelector("select[name=recipients_level]");
    var picker = form.querySelector('[data-testid="picker-recipient_units"]');
    function showRecipients() {
      var list = radios.some(function (r) { return r.checked && r.value === "list"; });
      if (level) level.closest(".field").hidden = list;
      if (picker) picker.hidden = !list;
    }
    radios.forEach(function (r) { r.addEventListener("change", showRecipients); });
    showRecipients();

    // Ad hoc reports have no due-date rule.
    var period = form.querySelector("select[name=period_kind]");
    var rule = form.querySelector("select[name=due_rule]");
    var n = form.querySelector("input[name=due_n]");
    function showRule() {
      var adhoc = period && period.value === "ad_hoc";
      if (rule) rule.closest(".field").hidden = adhoc;
      if (n) n.closest(".field").hidden = adhoc;
    }
    if (period) period.addEventListener("change", showRule);
    showRule();
  }

  function init() {
    $all(document, "form[data-report-form]").forEach(setupReportForm);
    $all(document, "form[data-template-form]").forEach(setupTemplateForm);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
