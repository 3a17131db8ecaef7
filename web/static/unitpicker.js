// Vanthu unit picker: turns a unit text field (data-unit-picker for one
// unit, data-unit-picker-multi for several) into a search box with an
// accessible list of matches. Choosing a unit adds a hidden input named by
// data-name that carries its id, shown as a removable chip. Without this
// script the text field still works: the server reads codes or "#id"s typed
// into it.
(function () {
  "use strict";

  var LEVELS = {
    central: "Trung ương",
    province: "Tỉnh, thành phố",
    body: "Cơ quan tham mưu, trực thuộc",
    district: "Huyện (lịch sử)",
    commune: "Xã, phường, đặc khu",
    grassroots: "Cơ sở",
    cell: "Chi bộ"
  };
  var DEBOUNCE_MS = 250;
  var MIN_CHARS = 2;
  var seq = 0;

  function style(el, props) {
    Object.keys(props).forEach(function (k) { el.style[k] = props[k]; });
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text != null) e.textContent = text;
    return e;
  }

  function labelOf(u) {
    return u.code ? u.name + " (" + u.code + ")" : u.name;
  }

  function enhance(input) {
    if (input.hasAttribute("data-picker-ready")) return;
    input.setAttribute("data-picker-ready", "1");

    var multi = input.hasAttribute("data-unit-picker-multi");
    var name = input.getAttribute("data-name");
    var field = input.closest(".field") || input.parentNode;
    if (!input.id) input.id = "unit-picker-" + (++seq);
    var listId = input.id + "-listbox";

    // Chosen units, each a chip with its hidden input.
    var chips = el("ul", {
      "class": "unit-chips",
      "aria-label": multi ? "Các đơn vị đã chọn" : "Đơn vị đã chọn",
      "data-testid": "chips-" + input.id
    });
    style(chips, { listStyle: "none", padding: "0", margin: "0", display: "flex", flexWrap: "wrap", gap: ".4rem" });

    // The search box sits in a positioned box so the list can drop below it.
    var box = el("div");
    style(box, { position: "relative" });
    input.parentNode.insertBefore(chips, input);
    input.parentNode.insertBefore(box, input);
    box.appendChild(input);

    var list = el("ul", { id: listId, role: "listbox", "aria-label": "Đơn vị tìm thấy", "data-testid": "listbox-" + input.id });
    list.hidden = true;
    style(list, {
      position: "absolute", left: "0", right: "0", top: "100%", zIndex: "30", margin: "2px 0 0", padding: "0",
      listStyle: "none", background: "#fff", border: "1px solid #8c959f", borderRadius: "6px",
      maxHeight: "20rem", overflowY: "auto", boxShadow: "0 4px 14px rgba(0,0,0,.15)"
    });
    box.appendChild(list);

    var status = el("span", { "class": "hint", role: "status", "aria-live": "polite" });
    style(status, { minHeight: "1em" });
    box.parentNode.insertBefore(status, box.nextSibling);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("autocomplete", "off");

    var how = field.querySelector("[data-picker-how]");
    if (how) {
      how.textContent = "Gõ tên hoặc mã đơn vị (có thể gõ không dấu), dùng phím mũi tên lên, xuống rồi Enter để chọn, Esc để đóng danh sách." +
        (multi ? " Có thể chọn nhiều đơn vị." : "");
    }
    var summary = field.querySelector("[data-picker-summary]");
    if (summary) summary.hidden = true;

    var options = [];   // units shown in the list
    var active = -1;    // index of the highlighted option
    var timer = null;
    var request = 0;    // number of the latest search, to drop stale answers
    var controller = null;
    var swallowEnter = false; // Enter chose from the list: its keypress must not send the form

    function chosenIds() {
      return Array.prototype.map.call(chips.querySelectorAll("input[type=hidden]"), function (h) { return h.value; });
    }

    function addChip(u, announce) {
      var id = String(u.id);
      if (chosenIds().indexOf(id) >= 0) return;
      if (!multi) chips.textContent = "";
      var label = u.label || labelOf(u);
      var li = el("li", { "data-testid": "chip", "data-unit-id": id });
      style(li, {
        display: "inline-flex", alignItems: "center", gap: ".35rem", padding: ".1rem .3rem .1rem .6rem",
        border: "1px solid #d0d7de", borderRadius: "999px", background: "#eef1f4"
      });
      li.appendChild(el("span", null, label));
      li.appendChild(el("input", { type: "hidden", name: name, value: id }));
      var remove = el("button", { type: "button", "class": "link", "aria-label": "Bỏ chọn " + label, title: "Bỏ chọn" }, "×");
      style(remove, { textDecoration: "none", fontSize: "1.1rem", lineHeight: "1", padding: "0 .25rem" });
      remove.addEventListener("click", function () {
        li.remove();
        status.textContent = "Đã bỏ chọn " + label + ".";
        input.focus();
      });
      li.appendChild(remove);
      chips.appendChild(li);
      if (announce) status.textContent = "Đã chọn " + label + ".";
    }

    // Units the server already resolved become chips; their "#id" leaves
    // the text field, anything unresolved stays for the person to fix.
    var initial = [];
    try { initial = JSON.parse(input.getAttribute("data-selected") || "[]") || []; } catch (e) { initial = []; }
    var known = {};
    initial.forEach(function (u) { addChip(u, false); known["#" + u.id] = true; });
    input.value = input.value.split(/[,;]/).map(function (t) { return t.trim(); })
      .filter(function (t) { return t && !known[t]; }).join(", ");

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function open() {
      if (!list.children.length) return;
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function highlight(i) {
      var items = list.querySelectorAll("[role=option][data-unit-id]");
      if (!items.length) return;
      if (i < 0) i = items.length - 1;
      if (i >= items.length) i = 0;
      active = i;
      Array.prototype.forEach.call(items, function (o, k) {
        var on = k === i;
        o.setAttribute("aria-selected", on ? "true" : "false");
        o.style.background = on ? "#dbeafe" : "";
        o.style.outline = on ? "2px solid #0969da" : "";
      });
      input.setAttribute("aria-activedescendant", items[i].id);
      if (items[i].scrollIntoView) items[i].scrollIntoView({ block: "nearest" });
    }

    function choose(i) {
      var u = options[i];
      if (!u) return;
      addChip(u, true);
      input.value = "";
      close();
      list.textContent = "";
      options = [];
      input.focus();
    }

    function render(items) {
      list.textContent = "";
      options = items;
      active = -1;
      if (!items.length) {
        var none = el("li", { role: "option", "aria-disabled": "true", id: listId + "-none" }, "Không tìm thấy đơn vị phù hợp.");
        style(none, { padding: ".45rem .6rem", color: "#57606a" });
        list.appendChild(none);
        status.textContent = "Không tìm thấy đơn vị phù hợp.";
        open();
        return;
      }
      items.forEach(function (u, i) {
        var o = el("li", { role: "option", id: listId + "-opt-" + i, "aria-selected": "false", "data-unit-id": String(u.id) });
        style(o, { padding: ".45rem .6rem", cursor: "pointer", borderBottom: "1px solid #eef1f4" });
        o.appendChild(el("span", null, u.name));
        var detail = [];
        if (u.code) detail.push("Mã " + u.code);
        if (LEVELS[u.level]) detail.push(LEVELS[u.level]);
        if (detail.length) {
          var d = el("small", null, " · " + detail.join(" · "));
          style(d, { color: "#57606a" });
          o.appendChild(d);
        }
        // mousedown would blur the input first; keep focus, choose on click.
        o.addEventListener("mousedown", function (e) { e.preventDefault(); });
        o.addEventListener("click", function () { choose(i); });
        list.appendChild(o);
      });
      status.textContent = items.length + " đơn vị phù hợp. Dùng phím mũi tên để chọn.";
      open();
    }

    function search() {
      var q = input.value.trim();
      if (q.length < MIN_CHARS) {
        close();
        list.textContent = "";
        options = [];
        return;
      }
      var n = ++request;
      if (controller) controller.abort();
      controller = typeof AbortController === "function" ? new AbortController() : null;
      fetch("/api/v1/units?limit=10&q=" + encodeURIComponent(q), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined
      }).then(function (resp) {
        if (!resp.ok) throw new Error("HTTP " + resp.status);
        return resp.json();
      }).then(function (data) {
        if (n !== request) return;
        render((data && data.items) || []);
      }).catch(function (err) {
        if (err && err.name === "AbortError") return;
        if (n !== request) return;
        close();
        status.textContent = "Không tải được danh sách đơn vị. Vẫn có thể nhập mã hoặc ID có dấu # rồi gửi biểu mẫu.";
      });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, DEBOUNCE_MS);
    });

    input.addEventListener("keydown", function (e) {
      var isOpen = !list.hidden;
      switch (e.key) {
        case "ArrowDown":
          e.preventDefault();
          if (!isOpen) open();
          highlight(active + 1);
          break;
        case "ArrowUp":
          e.preventDefault();
          if (!isOpen) open();
          highlight(active - 1);
          break;
        case "Enter":
          // Choosing from the open list must not send the form.
          swallowEnter = isOpen;
          if (isOpen) {
            e.preventDefault();
            if (active >= 0) choose(active);
          }
          break;
        case "Escape":
          if (isOpen) {
            e.preventDefault();
            close();
          }
          break;
        case "Tab":
          close();
          break;
      }
    });

    // Some input methods deliver Enter's keypress even when its keydown was
    // cancelled; a form is sent on keypress.
    input.addEventListener("keypress", function (e) {
      if (e.key === "Enter" && swallowEnter) e.preventDefault();
    });
    input.addEventListener("keyup", function (e) {
      if (e.key === "Enter") swallowEnter = false;
    });

    input.addEventListener("blur", function () { close(); });
    input.addEventListener("focus", function () {
      if (options.length && input.value.trim().length >= MIN_CHARS) open();
    });
  }

  function init(root) {
    var inputs = (root || document).querySelectorAll("input[data-unit-picker], input[data-unit-picker-multi]");
    Array.prototype.forEach.call(inputs, enhance);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(); });
  } else {
    init();
  }
})();
