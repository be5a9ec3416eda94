// The appraisal page: "does not arise" disables the score, a save's answer restates the row's
// state, and a conflict's newer value can be taken into the fields.
(function () {
  "use strict";

  function setValueDisabled(form, disabled) {
    form.querySelectorAll("[data-value-input]").forEach(function (input) {
      input.disabled = disabled;
    });
  }

  // A leaf that does not arise takes no score.
  document.addEventListener("change", function (event) {
    const box = event.target;
    if (box instanceof HTMLInputElement && box.matches("[data-review-form] [data-not-arising]")) {
      setValueDisabled(box.closest("form"), box.checked);
    }
  });

  // A save redraws only the status area; the row's highlight follows what it says.
  document.body.addEventListener("htmx:afterRequest", function (event) {
    const form = event.detail.elt;
    if (!(form instanceof HTMLFormElement) || !form.matches("[data-review-form]")) {
      return;
    }
    const row = form.closest("[data-leaf-row]");
    const status = form.querySelector(".leaf-status");
    if (!row || !status) {
      return;
    }
    const differs = status.dataset.differs === "true";
    const uncommented = status.dataset.uncommented === "true";
    row.classList.toggle("differs", differs);
    row.classList.toggle("bg-warning-subtle", differs);
    ["uncommented", "border-start", "border-4", "border-danger"].forEach(function (name) {
      row.classList.toggle(name, uncommented);
    });
    const hint = form.querySelector("[data-comment-required]");
    if (hint) {
      hint.classList.toggle("d-none", !differs);
    }
  });

  // After a conflict the reviewer may take the newer value instead of what they typed.
  document.addEventListener("click", function (event) {
    const button = event.target.closest("[data-take-newer]");
    if (!button) {
      return;
    }
    const form = button.closest("form");
    const score = form.querySelector("[name=reviewed_score]");
    const comment = form.querySelector("[name=review_comment]");
    const box = form.querySelector("[data-not-arising]");
    const notArising = button.dataset.notArising === "true";
    if (score) {
      score.value = button.dataset.score;
    }
    if (comment) {
      comment.value = button.dataset.comment;
    }
    if (box) {
      box.checked = notArising;
    }
    setValueDisabled(form, notArising);
    button.closest("[data-conflict]").remove();
  });
})();
