// Charts fed by json_script data blocks; no inline code (the Content Security Policy forbids it).
(function () {
  "use strict";

  // Tiers come highest first: from green (best) through teal, cyan and amber to red (weakest).
  const TIER_COLOURS = ["#198754", "#20c997", "#0dcaf0", "#ffc107", "#fd7e14"];
  const WEAKEST = "#dc3545";

  function tierColours(count) {
    const colours = TIER_COLOURS.slice(0, Math.max(count - 1, 0));
    while (colours.length < count - 1) {
      colours.push("#6c757d");
    }
    if (count > 0) {
      colours.push(WEAKEST);
    }
    return colours;
  }

  function tierChart() {
    const source = document.getElementById("tier-chart-data");
    const canvas = document.getElementById("tier-chart");
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
        indexAxis: "y",
        responsive: true,
        aspectRatio: 1.8,
        animation: false,
        scales: {
          x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
          y: { stacked: true },
        },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  // The survey's answers: one bar per question, one segment per option, in % of its answers.
  const OPTION_COLOURS = [
    "#198754", "#20c997", "#0dcaf0", "#ffc107", "#fd7e14", "#dc3545", "#6f42c1", "#6c757d", "#0d6efd", "#d63384",
  ];

  function surveyChart() {
    const source = document.getElementById("survey-chart-data");
    const canvas = document.getElementById("survey-chart");
    if (!source || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    const data = JSON.parse(source.textContent);
    data.datasets.forEach(function (dataset, i) {
      dataset.backgroundColor = OPTION_COLOURS[i % OPTION_COLOURS.length];
      dataset.borderWidth = 0;
    });
    new window.Chart(canvas, {
      type: "bar",
      data: data,
      options: {
        indexAxis: "y",
        responsive: true,
        aspectRatio: 2.4,
        animation: false,
        scales: {
          x: { stacked: true, beginAtZero: true, max: 100, ticks: { callback: function (v) { return v + "%"; } } },
          y: { stacked: true },
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                const count = item.dataset.counts[item.dataIndex];
                return item.dataset.label + ": " + count + " (" + item.formattedValue + "%)";
              },
            },
          },
        },
      },
    });
  }

  function drawCharts() {
    tierChart();
    surveyChart();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawCharts);
  } else {
    drawCharts();
  }
})();
