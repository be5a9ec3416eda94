// The conference pack's pages: the tiers-per-year chart of the year-over-year comparison, fed
// by a json_script data block, and the print button of the printable lists. No inline code:
// the Content Security Policy forbids it.
(function () {
  "use strict";

  // Tiers come highest first: from green (best) through teal, cyan and amber to red (weakest),
  // as on the results pages and in the workbook's charts.
  const TIER_COLOURS = ["#198754", "#20c997", "#0dcaf0", "#ffc107", "#fd7e14"];
  const OTHER = "#6c757d";
  const WEAKEST = "#dc3545";

  function tierColours(count) {
    const colours = TIER_COLOURS.slice(0, Math.max(count - 1, 0));
    while (colours.length < count - 1) {
      colours.push(OTHER);
    }
    if (count > 0) {
      colours.push(WEAKEST);
    }
    return colours;
  }

  function yearChart() {
    const source = document.getElementById("yoy-chart-data");
    const canvas = document.getElementById("yoy-chart");
    if (!source || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    const data = JSON.parse(source.textContent);
    const colours = tierColours(data.datasets.length);
    data.datasets.forEach(function (dataset, i) {
      dataset.backgroundColor = colours[i];
      dataset.borderWidth = 0;
    });
    new window.Chart(canvas, {
      type: "bar",
      data: data,
      options: {
        responsive: true,
        aspectRatio: 1.8,
        animation: false,
        scales: {
          x: { stacked: true },
          y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
        },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  // <button data-print>: open the browser's print dialog.
  function printButtons() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  function start() {
    yearChart();
    printButtons();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
