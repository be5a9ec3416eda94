// The agency report: its history chart (rank and index per year, fed by a json_script
// block) and the print button of the printable view. No inline code: the CSP forbids it.
(function () {
  "use strict";

  function historyChart() {
    const source = document.getElementById("agency-history-data");
    const canvas = document.getElementById("agency-history-chart");
    if (!source || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    const data = JSON.parse(source.textContent);
    const worstRank = Math.max.apply(null, data.rank.concat([1]));
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.years,
        datasets: [
          {
            label: data.labels.rank,
            data: data.rank,
            yAxisID: "rank",
            borderColor: "#0b3d91",
            backgroundColor: "#0b3d91",
            tension: 0,
            pointRadius: 4,
          },
          {
            label: data.labels.index,
            data: data.index,
            yAxisID: "index",
            borderColor: "#198754",
            backgroundColor: "#198754",
            borderDash: [6, 4],
            tension: 0,
            pointRadius: 4,
            spanGaps: true,
          },
        ],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          // Rank 1 at the top: a better rank is a higher point.
          rank: {
            type: "linear",
            position: "left",
            reverse: true,
            min: 1,
            suggestedMax: worstRank + 1,
            ticks: { precision: 0, stepSize: 1 },
            title: { display: true, text: data.labels.rank },
          },
          index: {
            type: "linear",
            position: "right",
            suggestedMin: 50,
            suggestedMax: 100,
            grid: { drawOnChartArea: false },
            title: { display: true, text: data.labels.index },
          },
        },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  function printButtons() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () {
        window.print();
      });
    });
  }

  function start() {
    historyChart();
    printButtons();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
