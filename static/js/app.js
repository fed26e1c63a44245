// Free text takes the direction of what is typed: French in an Arabic page stays left to right, and the
// reverse. An empty field keeps the page's direction (dir="auto" on an empty field would mean left to right).
(function () {
  function follow(field) {
    if (field.value.trim()) { field.dir = "auto"; } else { field.removeAttribute("dir"); }
  }
  document.querySelectorAll("main textarea:not([dir]), main input[type=text]:not([dir]), main input:not([type]):not([dir])")
    .forEach(function (field) {
      follow(field);
      field.addEventListener("input", function () { follow(field); });
    });
})();

// The menu item of the page being shown is marked (for sight and for screen readers).
(function () {
  var here = window.location.pathname;
  document.querySelectorAll("#nav-menus .dropdown-item").forEach(function (item) {
    var target = item.getAttribute("href");
    if (target && target !== "/" && here.indexOf(target) === 0) {
      item.classList.add("active");
      item.setAttribute("aria-current", "page");
    }
  });
})();

// Behaviour declared in the markup (data-*), since the Content-Security-Policy runs no inline script
// or handler: a select that submits its form, one that opens the chosen address, a print button, and
// sizes computed on the server (bar widths in percent, tree indentation in rem).
(function () {
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  document.querySelectorAll("select[data-navigate]").forEach(function (select) {
    select.addEventListener("change", function () { window.location.href = select.value; });
  });
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.querySelectorAll("[data-width]").forEach(function (element) {
    element.style.width = Math.max(0, Math.min(100, parseFloat(element.dataset.width) || 0)) + "%";
  });
  document.querySelectorAll("[data-indent]").forEach(function (element) {
    element.style.paddingInlineStart = (parseFloat(element.dataset.indent) || 0) + "rem";
  });
})();
// "Add another" rows of a formset without saving: the <template id="<prefix>-empty"> holds an empty row
// whose names use __prefix__; it is numbered from the management form's TOTAL_FORMS, which then grows.
(function () {
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    button.addEventListener("click", function () {
      var prefix = button.getAttribute("data-add-row");
      var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
      var template = document.getElementById(prefix + "-empty");
      var rows = document.getElementById(prefix + "-rows");
      if (!total || !template || !rows) { return; }
      var index = parseInt(total.value, 10);
      var holder = document.createElement("div");
      holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
    });
  });
})();

// A percentage only means something for a partly done deliverable: the field opens for "partial" only.
(function () {
  document.querySelectorAll("input[data-partial-of]").forEach(function (percent) {
    var status = document.getElementById(percent.getAttribute("data-partial-of"));
    if (!status) { return; }
    function follow() {
      var partial = status.value === "partial";
      percent.disabled = !partial;
      if (!partial) { percent.value = ""; }
    }
    status.addEventListener("change", follow);
  });
})();

// The meeting agenda: ↑/↓ move the row in place (the server answers with the new order) instead of
// reloading the page; without script the buttons still post the form and the page reloads.
(function () {
  var table = document.getElementById("agenda");
  if (!table) { return; }
  var body = table.tBodies[0];
  function refresh() {
    var rows = Array.prototype.slice.call(body.querySelectorAll("tr[data-item]"));
    rows.forEach(function (row, index) {
      var number = row.querySelector(".agenda-number");
      if (number) { number.textContent = String(index + 1); }
      var up = row.querySelector("button[value=up]");
      var down = row.querySelector("button[value=down]");
      if (up) { up.disabled = index === 0; }
      if (down) { down.disabled = index === rows.length - 1; }
    });
  }
  body.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList.contains("agenda-move")) { return; }
    event.preventDefault();
    var data = new FormData(form, event.submitter);
    fetch(form.action, {method: "POST", body: data, credentials: "same-origin",
                        headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json().then(function (json) { return [response.ok, json]; }); })
      .then(function (result) {
        if (!result[0]) { window.alert(result[1].detail || ""); return; }
        var rows = {};
        body.querySelectorAll("tr[data-item]").forEach(function (row) { rows[row.getAttribute("data-item")] = row; });
        result[1].order.forEach(function (pk) { if (rows[pk]) { body.appendChild(rows[pk]); } });
        refresh();
        var moved = form.querySelector("button[value=" + (event.submitter ? event.submitter.value : "up") + "]");
        if (moved && !moved.disabled) { moved.focus(); }
      })
      .catch(function () { form.submit(); });
  });
})();

// Long multi-selects (units invited, units carrying a priority: 45+ items) get a filter box: typing keeps
// the options whose text contains what is typed (accents and case ignored); chosen options stay chosen.
(function () {
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  document.querySelectorAll("select[multiple]").forEach(function (select, index) {
    if (select.options.length < 10) { return; }
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1 select-filter";
    box.id = (select.id || "select-" + index) + "-filter";
    box.placeholder = document.documentElement.getAttribute("data-filter-label") || "…";
    box.setAttribute("aria-label", box.placeholder);
    box.setAttribute("aria-controls", select.id || "");
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
      var wanted = fold(box.value.trim());
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = wanted !== "" && !option.selected && fold(option.text).indexOf(wanted) === -1;
      });
    });
  });
})();

// Irreversible actions (submit, return, accept, propose, approve, new version, publish, delete) say what
// will happen and ask before they go.
(function () {
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();

// Forms that forgive. A form marked data-unsaved-warning asks before the page is left with changes not
// saved. A form also marked data-autosave saves itself in the background a few seconds after the last
// change (the same address, header X-Autosave: 1, files left out), with the version it was loaded with:
// the server answers the new version and the ids of rows added in the page. If someone else saved
// meanwhile (409), nothing is overwritten: background saving stops, the text stays in the page, the
// warning before leaving stays on, and the person is told to copy their text and reload.
(function () {
  document.querySelectorAll("form[data-unsaved-warning]").forEach(function (form) {
    var dirty = false, submitting = false, changes = 0, timer = null, inFlight = false, stopped = false;
    var status = document.getElementById("autosave-status");
    var delay = parseInt(form.getAttribute("data-autosave-delay"), 10) || 5000;
    function say(text, level) {
      if (!status) { return; }
      status.textContent = text || "";
      status.className = "small mb-2 " + (level === "error" ? "alert alert-danger" : "text-muted");
    }
    function setIds(prefix, ids) {
      Object.keys(ids || {}).forEach(function (index) {
        var field = form.querySelector("input[name='" + prefix + "-" + index + "-id']");
        if (field) { field.value = String(ids[index]); }
      });
    }
    function dropDeleted() {
      // Rows marked for deletion are gone on the server: a second save must not name them again.
      form.querySelectorAll("input[type=checkbox][name$='-DELETE']:checked").forEach(function (box) {
        var row = box.closest(".achievement-row, .constraint-row");
        if (row) { row.parentNode.removeChild(row); }
      });
    }
    function save() {
      timer = null;
      if (stopped || submitting || !dirty) { return; }
      if (inFlight) { schedule(); return; }
      inFlight = true;
      var sent = changes;
      var data = new FormData(form);
      Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), function (input) { data.delete(input.name); });
      say(form.getAttribute("data-autosave-saving"));
      fetch(form.action || window.location.href, {
        method: "POST", body: data, credentials: "same-origin",
        headers: {"X-Autosave": "1", "Accept": "application/json"}
      }).then(function (response) {
        return response.json().then(function (json) { return [response.status, json]; });
      }).then(function (result) {
        var code = result[0], json = result[1];
        if (code === 200) {
          var version = form.querySelector("input[name=version]");
          if (version) { version.value = String(json.version); }
          setIds("achievements", json.ids && json.ids.achievements);
          setIds("constraints", json.ids && json.ids.constraints);
          dropDeleted();
          if (changes === sent) { dirty = false; }
          say(json.detail);
        } else if (code === 409) {
          stopped = true;
          say(json.detail, "error");
        } else {
          say(json.detail, "error");
        }
      }).catch(function () {
        say(form.getAttribute("data-autosave-offline"), "error");
      }).then(function () {
        inFlight = false;
        if (pending) {
          var button = held;
          pending = false;
          held = null;
          if (button) { form.requestSubmit(button); } else { form.requestSubmit(); }
          return;
        }
        if (dirty && !stopped && changes !== sent) { schedule(); }
      });
    }
    function schedule() {
      if (!form.hasAttribute("data-autosave") || stopped) { return; }
      if (timer) { window.clearTimeout(timer); }
      timer = window.setTimeout(save, delay);
    }
    function changed(event) {
      if (event.target && event.target.type === "file") { dirty = true; return; }  // files go with "Save"
      dirty = true;
      changes += 1;
      schedule();
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    var pending = false, held = null;  // a "Save" clicked while a background save runs waits for its version
    document.addEventListener("submit", function (event) {
      if (event.target === form && inFlight) {
        event.preventDefault();
        pending = true;
        held = event.submitter || null;
        return;
      }
      submitting = true;
      if (timer) { window.clearTimeout(timer); }
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !submitting) { event.preventDefault(); event.returnValue = ""; return ""; }
    });
  });
})();
