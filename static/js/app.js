// Behaviour that would otherwise need inline handlers, which the Content Security Policy forbids.
(function () {
  "use strict";

  // The score pages open as the compact grid on a wide window, as cards on a phone: the server
  // reads this cookie (ranking/views/common.py, `detailed_layout`), written on every page.
  document.cookie =
    "man-hinh=" + (window.matchMedia("(min-width: 992px)").matches ? "rong" : "hep") +
    "; path=/; max-age=31536000; samesite=lax";

  // <form data-confirm="...">, <button data-confirm="..."> or a chosen <option data-confirm="...">
  // (the sentence of the step chosen in a list): ask before submitting. The server writes the sentence.
  document.addEventListener("submit", function (event) {
    const submitter = event.submitter;
    const option = event.target.querySelector("option[data-confirm]:checked");
    const message =
      (option && option.dataset.confirm) ||
      (submitter && submitter.dataset.confirm) ||
      event.target.dataset.confirm;
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });

  // A table wider than the screen scrolls inside its own box; the keyboard must reach it too,
  // so the box joins the tab order when (and only when) it really scrolls.
  const focusableScrollers = function (root) {
    root.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
      }
    });
  };
  focusableScrollers(document);
  window.addEventListener("resize", function () { focusableScrollers(document); });
  document.body.addEventListener("htmx:afterSettle", function (event) { focusableScrollers(event.target); });

  // <input type="checkbox" data-select-all="NAME">: ticks or unticks every box named NAME.
  document.addEventListener("change", function (event) {
    const name = event.target.dataset && event.target.dataset.selectAll;
    if (!name) {
      return;
    }
    document.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
      if (!box.disabled) {
        box.checked = event.target.checked;
      }
    });
  });

  // File pickers in the page's language: the chosen files' names beside the "choose" button
  // (the browser's own button and "No file chosen" speak the browser's language).
  document.addEventListener("change", function (event) {
    const input = event.target;
    if (!input.classList || !input.classList.contains("file-picker-input")) {
      return;
    }
    const shown = input.parentElement.querySelector("[data-file-name]");
    const files = input.files ? Array.prototype.slice.call(input.files) : [];
    if (shown) {
      shown.textContent = files.length === 0 ? shown.dataset.none
        : files.length === 1 ? files[0].name
        : shown.dataset.many.replace("{count}", files.length);
    }
  });

  // Validation messages in the page's language, from the texts <body> carries.
  const texts = document.body.dataset;
  const messageFor = function (field) {
    const state = field.validity;
    if (state.valueMissing) {
      if (field.type === "file") { return texts.msgFileMissing; }
      if (field.type === "checkbox" || field.type === "radio" || field.tagName === "SELECT") {
        return texts.msgChoiceMissing;
      }
      return texts.msgValueMissing;
    }
    if (state.badInput) { return texts.msgBadInput; }
    if (state.typeMismatch) { return texts.msgTypeMismatch; }
    if (state.rangeUnderflow) { return texts.msgRangeUnderflow.replace("{min}", field.min); }
    if (state.rangeOverflow) { return texts.msgRangeOverflow.replace("{max}", field.max); }
    if (state.stepMismatch) { return texts.msgStepMismatch; }
    if (state.tooLong) { return texts.msgTooLong.replace("{max}", field.maxLength); }
    if (state.patternMismatch) { return texts.msgPatternMismatch; }
    return "";
  };
  document.addEventListener("invalid", function (event) {
    const field = event.target;
    field.setCustomValidity("");
    const message = messageFor(field);
    if (message) {
      field.setCustomValidity(message);
    }
  }, true);
  const revalidate = function (event) {
    const field = event.target;
    if (!field.setCustomValidity) {
      return;
    }
    field.setCustomValidity("");
    // Every radio of a required group was marked invalid; choosing one makes the group valid,
    // so the message leaves all of them (else the form could never be sent).
    if (field.type === "radio" && field.form && field.name) {
      field.form.querySelectorAll('input[type="radio"]').forEach(function (radio) {
        if (radio.name === field.name) {
          radio.setCustomValidity("");
        }
      });
    }
  };
  document.addEventListener("input", revalidate, true);
  document.addEventListener("change", revalidate, true);

  // Government networks drop often: say so when an htmx request fails instead of doing nothing.
  const errorBox = document.getElementById("htmx-error");
  if (errorBox) {
    const show = function () { errorBox.classList.remove("d-none"); };
    const hide = function () { errorBox.classList.add("d-none"); };
    document.body.addEventListener("htmx:sendError", show);
    document.body.addEventListener("htmx:responseError", show);
    document.body.addEventListener("htmx:beforeRequest", hide);
  }

  // <button data-print>: print the page (the survey's invitations to hand out).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) {
      window.print();
    }
  });
})();
