// Behaviour that would otherwise need inline handlers, which the Content Security Policy forbids.
(function () {
  "use strict";

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

  // Government networks drop often: say so when an htmx request fails instead of doing nothing.
  const errorBox = document.getElementById("htmx-error");
  if (errorBox) {
    const show = function () { errorBox.classList.remove("d-none"); };
    const hide = function () { errorBox.classList.add("d-none"); };
    document.body.addEventListener("htmx:sendError", show);
    document.body.addEventListener("htmx:responseError", show);
    document.body.addEventListener("htmx:beforeRequest", hide);
  }
})();
