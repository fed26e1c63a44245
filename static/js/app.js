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
