// Score grids as fast as a spreadsheet: one row per leaf (or per agency on the survey grid).
//
// - Enter and ↓/↑ move to the same column of the next/previous visible row; Tab goes on to the note.
// - A score or note is saved when it changes (notes also after a pause in typing), one save at a
//   time per row, each with the version the row last saw; the server validates and answers with
//   the row's state and the totals out of band (elements carrying hx-swap-oob, swapped by id).
// - A block copied from Excel (tab and newline separated) pasted into a cell fills the cells to
//   the right and below it, row by row, each row saved and validated on its own.
// - The survey grid (data-grid="survey") only fills its inputs: its form is saved as a whole.
(function () {
  "use strict";

  const PAUSE_MS = 800;
  const tables = document.querySelectorAll("table[data-grid]");
  if (!tables.length) {
    return;
  }
  const tools = document.querySelector("[data-grid-tools]");

  function message(name, fallback) {
    return (tools && tools.dataset[name]) || fallback;
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function visible(row) {
    return !row.hidden && row.offsetParent !== null;
  }

  function cellOf(row, column) {
    const input = row.querySelector('[data-col="' + column + '"]');
    return input && !input.disabled && !input.readOnly ? input : null;
  }

  // The rows below (step 1) or above (step -1) `row` that have an input in `column`.
  function rowsFrom(row, column, step) {
    const rows = Array.from(row.closest("table").querySelectorAll("tr[data-row]"));
    const found = [];
    for (let i = rows.indexOf(row) + step; i >= 0 && i < rows.length; i += step) {
      if (visible(rows[i]) && cellOf(rows[i], column)) {
        found.push(rows[i]);
      }
    }
    return found;
  }

  function move(input, step) {
    const row = input.closest("tr[data-row]");
    const next = rowsFrom(row, input.dataset.col, step)[0];
    if (!next && autosaves(row.closest("table"))) {
      // The last row: focus stays, so no "change" comes to save what was typed.
      save(row);
    }
    if (next) {
      const target = cellOf(next, input.dataset.col);
      target.focus();
      if (target.select) {
        target.select();
      }
    }
  }

  // --- saving a row (self-assessment and appraisal grids) ----------------------------------

  const waiting = new Set();
  const timers = new WeakMap();

  // The row's status area: the self-assessment grid's cell (data-version), or the appraisal's
  // status area (.leaf-status) with its hidden version input.
  function statusOf(row) {
    return row.querySelector("[data-version]") || row.querySelector(".leaf-status");
  }

  function versionOf(row) {
    const status = statusOf(row);
    const hidden = status.querySelector("input[name=version]");
    return status.dataset.version || (hidden ? hidden.value : "");
  }

  function setState(row, state, text) {
    row.classList.remove("is-saving", "is-saved", "is-error");
    row.classList.add("is-" + state);
    if (text !== undefined) {
      const status = statusOf(row);
      const box = document.createElement("span");
      box.className = state === "error" ? "text-danger" : "text-body-secondary";
      if (state === "error") {
        box.setAttribute("role", "alert");
      }
      box.textContent = text;
      const version = status.querySelector("input[name=version]");
      status.replaceChildren.apply(status, version ? [version, box] : [box]);
    }
  }

  function swapOutOfBand(doc) {
    doc.querySelectorAll("[hx-swap-oob]").forEach(function (fresh) {
      const current = fresh.id && document.getElementById(fresh.id);
      if (current) {
        fresh.removeAttribute("hx-swap-oob");
        current.replaceWith(document.importNode(fresh, true));
      }
    });
  }

  function applyAnswer(row, status, html) {
    const doc = new DOMParser().parseFromString(html, "text/html");
    const id = row.dataset.row;
    const freshRow = doc.getElementById("row-" + id);
    const freshStatus = doc.getElementById(statusOf(row).id);
    if (freshRow) {
      // The self-assessment grid answers with its whole row: take its flags and its status.
      ["unscored", "missing", "differs", "unreviewed", "uncommented"].forEach(function (flag) {
        row.toggleAttribute("data-" + flag, freshRow.hasAttribute("data-" + flag));
      });
      // The reason for missing evidence is edited in the leaf's details: keep the stored one.
      row.querySelectorAll("input[type=hidden][name=no_evidence_reason]").forEach(function (input) {
        input.remove();
      });
      const reason = freshRow.querySelector("input[type=hidden][name=no_evidence_reason]");
      const note = row.querySelector('[data-col="1"]');
      if (reason && note) {
        note.after(document.importNode(reason, true));
      }
      if (status === 409) {
        // Someone saved in between: show the newer values in place of what was typed.
        row.querySelectorAll("[data-col]").forEach(function (input) {
          const newer = freshRow.querySelector('[data-col="' + input.dataset.col + '"]');
          if (newer) {
            input.value = newer.value;
          }
        });
      }
    }
    if (freshStatus) {
      statusOf(row).replaceWith(document.importNode(freshStatus, true));
      const shown = statusOf(row);
      // The appraisal grid's status area states whether the leaf differs and lacks a comment.
      if (shown.dataset.differs !== undefined) {
        row.toggleAttribute("data-differs", shown.dataset.differs === "true");
        row.toggleAttribute("data-uncommented", shown.dataset.uncommented === "true");
        const score = cellOf(row, "0");
        row.toggleAttribute("data-unscored", Boolean(score) && !score.value.trim());
      }
    }
    swapOutOfBand(doc);
  }

  function send(row) {
    const table = row.closest("table");
    const data = new FormData();
    data.append("csrfmiddlewaretoken", csrfToken());
    data.append("grid", "1");
    data.append("version", versionOf(row));
    row.querySelectorAll("input[name], textarea[name], select[name]").forEach(function (input) {
      if (!input.disabled && input.name !== "version") {
        data.append(input.name, input.value);
      }
    });
    row.querySelectorAll("[data-col]").forEach(function (input) {
      input.classList.remove("is-invalid");
      input.removeAttribute("aria-invalid");
    });
    setState(row, "saving", message("msgSaving", "Saving…"));
    return fetch(table.dataset.save + row.dataset.row + "/", {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRFToken": csrfToken() },
    })
      .then(function (response) {
        return response.text().then(function (html) {
          if (response.status === 403) {
            const text = new DOMParser().parseFromString(html, "text/html").body.textContent.trim();
            setState(row, "error", text || message("msgRefused", "Refused."));
            return;
          }
          if ([200, 409, 422].indexOf(response.status) < 0) {
            setState(row, "error", message("msgNetwork", "Not saved: the connection failed."));
            return;
          }
          applyAnswer(row, response.status, html);
          if (response.status === 200) {
            setState(row, "saved");
          } else {
            setState(row, "error");
            if (response.status === 422) {
              const first = row.querySelector('[data-col="0"]');
              if (first) {
                first.classList.add("is-invalid");
                first.setAttribute("aria-invalid", "true");
              }
            }
          }
        });
      })
      .catch(function () {
        setState(row, "error", message("msgNetwork", "Not saved: the connection failed."));
      });
  }

  // Saves go one after the other (a pasted column is twenty saves), each reading its row's
  // fields and version when it starts; a row already waiting for its turn is not queued twice.
  let queue = Promise.resolve();
  function save(row) {
    window.clearTimeout(timers.get(row));
    if (waiting.has(row)) {
      return queue;
    }
    waiting.add(row);
    row.classList.add("is-saving");
    queue = queue.then(function () {
      waiting.delete(row);
      return send(row);
    });
    return queue;
  }

  function autosaves(table) {
    return table.dataset.grid !== "survey";
  }

  // --- pasting a block from a spreadsheet ---------------------------------------------------

  function parseBlock(text) {
    const lines = text.replace(/\r\n?/g, "\n").replace(/\n+$/, "").split("\n");
    return lines.map(function (line) {
      return line.split("\t");
    });
  }

  function paste(input, text) {
    const table = input.closest("table");
    const row = input.closest("tr[data-row]");
    const first = Number(input.dataset.col);
    const block = parseBlock(text);
    const rows = [row].concat(rowsFrom(row, input.dataset.col, 1));
    const touched = [];
    block.forEach(function (values, index) {
      const target = rows[index];
      if (!target) {
        return;
      }
      values.forEach(function (value, offset) {
        const cell = cellOf(target, first + offset);
        if (cell) {
          cell.value = value.trim();
          cell.classList.add("is-pasted");
          cell.classList.remove("is-invalid");
        }
      });
      touched.push(target);
    });
    if (autosaves(table)) {
      touched.forEach(save);
    }
    const last = touched[touched.length - 1];
    if (last) {
      const cell = cellOf(last, first);
      if (cell) {
        cell.focus();
      }
    }
    if (block.length > rows.length) {
      window.alert(
        message("msgTooMany", "Only {n} rows could be filled.").replace("{n}", String(rows.length))
      );
    }
  }

  // --- events -----------------------------------------------------------------------------

  tables.forEach(function (table) {
    table.addEventListener("keydown", function (event) {
      const input = event.target;
      if (!input.matches || !input.matches("[data-col]") || event.altKey || event.ctrlKey || event.metaKey) {
        return;
      }
      const multiline = input instanceof HTMLTextAreaElement;
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        move(input, 1);
      } else if (!multiline && event.key === "ArrowDown") {
        event.preventDefault();
        move(input, 1);
      } else if (!multiline && event.key === "ArrowUp") {
        event.preventDefault();
        move(input, -1);
      }
    });

    table.addEventListener("paste", function (event) {
      const input = event.target;
      if (!input.matches || !input.matches("[data-col]")) {
        return;
      }
      const text = (event.clipboardData || window.clipboardData).getData("text/plain") || "";
      if (!/[\t\n\r]/.test(text.replace(/[\r\n]+$/, ""))) {
        return; // one value: the browser pastes it
      }
      event.preventDefault();
      paste(input, text);
    });

    if (!autosaves(table)) {
      return;
    }
    table.addEventListener("change", function (event) {
      const row = event.target.closest("tr[data-row]");
      if (row && event.target.matches("[data-col]")) {
        save(row);
      }
    });
    table.addEventListener("input", function (event) {
      const field = event.target;
      const row = field.closest("tr[data-row]");
      if (!row || !(field instanceof HTMLTextAreaElement)) {
        return;
      }
      window.clearTimeout(timers.get(row));
      timers.set(
        row,
        window.setTimeout(function () {
          save(row);
        }, PAUSE_MS)
      );
    });

    // Details one click away: the leaf as the detailed page shows it, below its row.
    table.addEventListener("click", function (event) {
      const button = event.target.closest("[data-details]");
      if (button) {
        toggleDetails(table, button);
        return;
      }
      const take = event.target.closest("[data-take-newer]");
      if (take) {
        const row = take.closest("tr[data-row]");
        const score = cellOf(row, 0);
        const comment = cellOf(row, 1);
        if (score) {
          score.value = take.dataset.score;
        }
        if (comment) {
          comment.value = take.dataset.comment;
        }
        take.closest("[data-conflict]").remove();
      }
    });
  });

  function toggleDetails(table, button) {
    const id = button.dataset.details;
    const existing = document.getElementById("details-" + id);
    const open = button.getAttribute("aria-expanded") === "true";
    button.setAttribute("aria-expanded", open ? "false" : "true");
    if (existing) {
      existing.hidden = open;
      return;
    }
    const row = button.closest("tr");
    const extra = document.createElement("tr");
    extra.id = "details-" + id;
    extra.className = "grid-details";
    const cell = document.createElement("td");
    cell.colSpan = row.children.length;
    cell.textContent = message("msgLoading", "Loading…");
    extra.appendChild(cell);
    row.after(extra);
    button.setAttribute("aria-controls", extra.id);
    fetch(table.dataset.detailsUrl + id + "/", { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        cell.innerHTML = html;
        if (window.htmx) {
          window.htmx.process(cell);
        }
      });
  }

  // --- tools: jump to a field, filters ---------------------------------------------------------

  if (tools) {
    const jump = tools.querySelector("[data-grid-jump]");
    if (jump) {
      jump.addEventListener("change", function () {
        const target = jump.value && document.getElementById(jump.value);
        if (target) {
          target.scrollIntoView({ block: "start" });
          let row = target.nextElementSibling;
          while (row && !(row.matches("tr[data-row]") && visible(row) && cellOf(row, "0"))) {
            row = row.nextElementSibling;
          }
          if (row) {
            cellOf(row, "0").focus({ preventScroll: true });
          }
        }
      });
    }
    tools.addEventListener("click", function (event) {
      const button = event.target.closest("[data-filter]");
      if (!button) {
        return;
      }
      const on = button.getAttribute("aria-pressed") !== "true";
      tools.querySelectorAll("[data-filter]").forEach(function (other) {
        other.setAttribute("aria-pressed", "false");
        other.classList.remove("active");
      });
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.classList.toggle("active", on);
      tables.forEach(function (table) {
        table.querySelectorAll("tr[data-row]").forEach(function (row) {
          row.hidden = on && !row.hasAttribute("data-" + button.dataset.filter);
          const details = document.getElementById("details-" + row.dataset.row);
          if (details && row.hidden) {
            details.hidden = true;
          }
        });
      });
    });
  }
})();
