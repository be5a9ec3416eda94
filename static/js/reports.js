// The analysis pages of the conference pack: charts fed by json_script data blocks, tables
// sorted by a click on their headings, and the group filter that applies itself.
// No inline code anywhere: the Content Security Policy forbids it.
(function () {
  "use strict";

  const LOCALE = document.documentElement.lang || "vi";
  const GROUP_COLOURS = ["#0b3d91", "#198754", "#fd7e14", "#6f42c1", "#0dcaf0", "#d63384", "#6c757d"];

  function data(id) {
    const source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  // --- the group filter: choosing a group shows it without pressing the button --------------
  function autosubmit() {
    document.querySelectorAll("select.js-autosubmit").forEach(function (select) {
      select.addEventListener("change", function () {
        select.form.requestSubmit();
      });
    });
  }

  // --- client-side sorting of tables with class js-sortable ---------------------------------
  // A cell's data-sort-value (a plain number such as -0.75) wins over its text; numbers shown
  // the Vietnamese way (1.234,50) are read back as numbers.
  function cellValue(row, index) {
    const cell = row.cells[index];
    if (!cell) {
      return "";
    }
    const raw = cell.dataset.sortValue !== undefined ? cell.dataset.sortValue : cell.textContent.trim();
    if (raw === "" || raw === "—") {
      return null;
    }
    const plain = cell.dataset.sortValue !== undefined ? raw : raw.replace(/\./g, "").replace(",", ".");
    const number = Number(plain.replace(/\s*%$/, ""));
    return Number.isNaN(number) ? raw : number;
  }

  function compare(a, b) {
    if (a === b) {
      return 0;
    }
    if (a === null) {
      return 1;
    }
    if (b === null) {
      return -1;
    }
    if (typeof a === "number" && typeof b === "number") {
      return a - b;
    }
    return String(a).localeCompare(String(b), LOCALE);
  }

  function sortable(table) {
    const headers = table.tHead ? Array.from(table.tHead.rows[0].cells) : [];
    headers.forEach(function (th, index) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) {
        button.appendChild(th.firstChild);
      }
      const icon = document.createElement("i");
      icon.className = "bi bi-arrow-down-up ms-1 text-body-tertiary";
      icon.setAttribute("aria-hidden", "true");
      button.appendChild(icon);
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) {
          other.setAttribute("aria-sort", "none");
          other.querySelector(".sort-button i").className = "bi bi-arrow-down-up ms-1 text-body-tertiary";
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        icon.className = "bi " + (ascending ? "bi-sort-up" : "bi-sort-down") + " ms-1";
        const body = table.tBodies[0];
        const rows = Array.from(body.rows);
        rows.sort(function (a, b) {
          const order = compare(cellValue(a, index), cellValue(b, index));
          return ascending ? order : -order;
        });
        rows.forEach(function (row) {
          body.appendChild(row);
        });
      });
    });
  }

  // --- charts -------------------------------------------------------------------------------
  function numberTick(value) {
    return Number(value).toLocaleString(LOCALE, { maximumFractionDigits: 2 });
  }

  function reviewerChart() {
    const chart = data("reviewer-chart-data");
    const canvas = document.getElementById("reviewer-chart");
    if (!chart || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    const values = chart.values.map(function (v) {
      return v === null ? null : Number(v);
    });
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: chart.labels,
        datasets: [
          {
            label: chart.label,
            data: values,
            // Fewer points than the agency gave itself in red, more in blue.
            backgroundColor: values.map(function (v) {
              return v !== null && v < 0 ? "#dc3545" : "#0d6efd";
            }),
            borderWidth: 0,
            maxBarThickness: 32,
          },
        ],
      },
      options: {
        indexAxis: "y",
        locale: LOCALE,
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { ticks: { callback: numberTick } } },
        plugins: { legend: { display: false } },
      },
    });
  }

  function gapChart() {
    const chart = data("gap-chart-data");
    const canvas = document.getElementById("gap-chart");
    if (!chart || !canvas || typeof window.Chart === "undefined") {
      return;
    }
    chart.datasets.forEach(function (dataset, i) {
      dataset.backgroundColor = GROUP_COLOURS[i % GROUP_COLOURS.length];
      dataset.borderWidth = 0;
      dataset.maxBarThickness = 40;
    });
    new window.Chart(canvas, {
      type: "bar",
      data: { labels: chart.labels, datasets: chart.datasets },
      options: {
        locale: LOCALE,
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { title: { display: true, text: chart.x_title } },
          y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: chart.y_title } },
        },
        plugins: { legend: { position: "bottom" } },
      },
    });
  }

  function start() {
    autosubmit();
    document.querySelectorAll("table.js-sortable").forEach(sortable);
    reviewerChart();
    gapChart();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
