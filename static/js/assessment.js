// The self-assessment page: autosave of text while the user types, "does not arise",
// and refusals of htmx posts shown in the row they concern.
(function () {
  "use strict";

  const PAUSE_MS = 1000;
  const timers = new WeakMap();

  // Text is saved after a pause in typing; numbers and choices are saved on "change".
  document.addEventListener("input", function (event) {
    const field = event.target;
    if (!(field instanceof HTMLTextAreaElement)) {
      return;
    }
    const form = field.closest("form[data-autosave]");
    if (!form) {
      return;
    }
    window.clearTimeout(timers.get(form));
    timers.set(form, window.setTimeout(function () {
      window.htmx.trigger(form, "autosave");
    }, PAUSE_MS));
  });

  // A leaf that does not arise takes no score: disable its score inputs.
  document.addEventListener("change", function (event) {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || !box.matches("[data-not-arising]")) {
      return;
    }
    const form = box.closest("form");
    form.querySelectorAll("[data-value-input]").forEach(function (input) {
      input.disabled = box.checked;
    });
  });

  // The change event that triggers htmx also ends the pending typing pause.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    const form = event.detail.elt;
    if (form instanceof HTMLFormElement && timers.has(form)) {
      window.clearTimeout(timers.get(form));
    }
  });

  // A 403 (deadline passed, submitted meanwhile) answers with a short explanation: show it
  // in the row instead of the generic connection error.
  document.body.addEventListener("htmx:responseError", function (event) {
    const xhr = event.detail.xhr;
    const row = event.detail.elt.closest("[data-leaf]");
    if (!row || xhr.status !== 403) {
      return;
    }
    const status = row.querySelector(".leaf-status") || row;
    const box = document.createElement("div");
    box.className = "alert alert-danger mb-2";
    box.setAttribute("role", "alert");
    box.textContent = new DOMParser().parseFromString(xhr.responseText, "text/html").body.textContent.trim();
    status.appendChild(box);
    const generic = document.getElementById("htmx-error");
    if (generic) {
      generic.classList.add("d-none");
    }
  });
})();
