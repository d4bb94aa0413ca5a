// Approvals: one decision per form. Once a chief clicks Approve or Reject, both buttons of
// that verdict are disabled so that a double click cannot send a second decision (which
// would only earn a 409). Rejecting needs a note: the button says so before the round trip.
(() => {
  "use strict";

  const _ = window.gettext || ((s) => s);

  for (const form of document.querySelectorAll("form.decision-form")) {
    const note = form.querySelector("textarea[name=note]");
    const reject = form.querySelector(".reject-button");
    const sync = () => {
      reject.title = note.value.trim() ? "" : _("Write a note for the reviewer first.");
    };
    note.addEventListener("input", sync);
    sync();
    form.addEventListener("submit", () => {
      window.setTimeout(() => {
        for (const button of form.querySelectorAll("button")) button.disabled = true;
      }, 0);
    });
  }
})();
