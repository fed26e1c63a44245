/* Charts of the figures dashboards, drawn by the vendored Chart.js (no external request).
   Readable without colour alone: each series has its own hatch pattern and point style,
   values are written on the bars, and every chart has its data table beside it. */
(function () {
  "use strict";
  if (!window.Chart) { return; }
  var colours = ["#0b3d5c", "#c8102e", "#2a7f62", "#8a5a00", "#5b3f8c", "#3d4a52"];
  var points = ["circle", "rect", "triangle", "rectRot", "star", "crossRot"];
  var rtl = document.documentElement.dir === "rtl";

  function pattern(colour, index) {
    var size = 10, canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    var ctx = canvas.getContext("2d");
    ctx.fillStyle = colour; ctx.globalAlpha = 0.35; ctx.fillRect(0, 0, size, size);
    ctx.globalAlpha = 1; ctx.strokeStyle = colour; ctx.lineWidth = 2; ctx.beginPath();
    if (index % 3 === 0) { ctx.moveTo(0, size); ctx.lineTo(size, 0); }
    else if (index % 3 === 1) { ctx.moveTo(0, size / 2); ctx.lineTo(size, size / 2); }
    else { ctx.arc(size / 2, size / 2, 2, 0, 2 * Math.PI); ctx.fillStyle = colour; ctx.fill(); }
    ctx.stroke();
    return ctx.createPattern(canvas, "repeat");
  }

  var valueLabels = {
    id: "valueLabels",
    afterDatasetsDraw: function (chart) {
      if (chart.config.type !== "bar") { return; }
      var ctx = chart.ctx;
      ctx.save(); ctx.font = "11px sans-serif"; ctx.fillStyle = "#1d2a33";
      chart.data.datasets.forEach(function (dataset, d) {
        chart.getDatasetMeta(d).data.forEach(function (bar, i) {
          var value = dataset.data[i];
          if (value === null || value === undefined) { return; }
          var text = Number(value).toLocaleString(document.documentElement.lang || "fr");
          var horizontal = chart.options.indexAxis === "y";
          ctx.textAlign = horizontal ? "left" : "center";
          ctx.fillText(text, horizontal ? bar.x + 4 : bar.x, horizontal ? bar.y + 4 : bar.y - 4);
        });
      });
      ctx.restore();
    }
  };

  document.querySelectorAll("canvas.figures-chart").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.source);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var kind = canvas.dataset.kind;
    var type = kind === "line" ? "line" : "bar";
    var datasets = data.datasets.map(function (dataset, i) {
      var colour = colours[i % colours.length];
      return {
        label: dataset.label, data: dataset.data, borderColor: colour, borderWidth: 2,
        backgroundColor: type === "bar" ? pattern(colour, i) : colour,
        pointStyle: points[i % points.length], pointRadius: 5, borderDash: i % 2 ? [6, 3] : [],
        spanGaps: true
      };
    });
    new window.Chart(canvas, {
      type: type,
      data: { labels: data.labels, datasets: datasets },
      options: {
        indexAxis: kind === "hbar" ? "y" : "x",
        animation: false,
        plugins: { legend: { rtl: rtl, labels: { usePointStyle: true } } },
        layout: { padding: { left: 20, right: 20 } },
        // Right to left: time runs from the right, and the value axis sits on the right where reading starts.
        scales: { x: { reverse: rtl && kind !== "hbar" }, y: { position: rtl && kind !== "hbar" ? "right" : "left" } }
      },
      plugins: [valueLabels]
    });
  });
})();
