/* Nachtwacht UI: draws the uPlot charts described by <figure data-chart> JSON blocks. No network. */
(function () {
  "use strict";
  var PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                 "#9c755f", "#bab0ac"];

  function seriesOptions(chart, index, s) {
    var color = PALETTE[index % PALETTE.length];
    var opts = { label: s.label, stroke: color, width: 2, spanGaps: true, points: { show: true, size: 6 } };
    if (chart.kind === "bars") {
      opts.fill = color + "99";
      opts.paths = uPlot.paths.bars({ size: [0.6, 60] });
      opts.points = { show: false };
    }
    return opts;
  }

  function draw(figure) {
    var block = document.getElementById(figure.getAttribute("data-chart"));
    if (!block || typeof uPlot === "undefined") { return; }
    var chart = JSON.parse(block.textContent);
    if (!chart.x || chart.x.length === 0) { figure.setAttribute("data-rendered", "empty"); return; }
    var data = [chart.x];
    var series = [{}];
    chart.series.forEach(function (s, i) {
      data.push(s.values);
      series.push(seriesOptions(chart, i, s));
    });
    var width = Math.max(320, Math.min(figure.clientWidth || 640, 1100));
    new uPlot({
      width: width, height: 260, series: series,
      scales: { x: { time: true } },
      axes: [{}, { size: 60 }],
      legend: { show: true }
    }, data, figure);
    figure.setAttribute("data-rendered", "true");
  }

  function init() {
    var figures = document.querySelectorAll("figure[data-chart]");
    for (var i = 0; i < figures.length; i++) {
      try { draw(figures[i]); } catch (e) { figures[i].setAttribute("data-rendered", "error: " + e); }
    }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
