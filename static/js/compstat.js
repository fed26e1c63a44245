// The meeting screen: the arrow keys move to the previous or next unit of the agenda
// (mirrored in a right-to-left page, where "next" lies to the left).
(function () {
  var screen = document.getElementById("compstat");
  if (!screen) { return; }
  var rtl = document.documentElement.dir === "rtl";
  document.addEventListener("keydown", function (event) {
    if (event.target.closest("input, textarea, select") || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var forward = rtl ? "ArrowLeft" : "ArrowRight";
    var backward = rtl ? "ArrowRight" : "ArrowLeft";
    var target = event.key === forward ? screen.dataset.next : event.key === backward ? screen.dataset.previous : "";
    if (target) { window.location.href = target; }
  });
})();
