// An import running in the background: poll its status, move the bar, reload the page when it is done.
(function () {
  var bar = document.getElementById("job-progress");
  if (!bar || !bar.dataset.statusUrl) { return; }
  function poll() {
    fetch(bar.dataset.statusUrl, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
      bar.style.width = data.progress + "%"; bar.textContent = data.progress + "%";
      if (data.running) { setTimeout(poll, 1000); } else { window.location.reload(); }
    }).catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 1000);
})();
