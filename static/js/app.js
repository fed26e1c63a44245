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
