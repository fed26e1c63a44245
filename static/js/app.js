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
