// Shared by every page: behaviour that would otherwise need inline script (forbidden by CSP).
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select) select.form.submit();
});

// A form posts once: its submit buttons are disabled while the page is posting, so a double
// click cannot send it twice (the services also answer a repeat with what the first made).
// Disabling waits a tick, or the clicked button's own name and value would not be sent.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || event.defaultPrevented) return;
  if ((form.method || "get").toLowerCase() !== "post") return;
  if (form.dataset.posting === "1") {
    event.preventDefault();
    return;
  }
  form.dataset.posting = "1";
  const buttons = form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]");
  window.setTimeout(() => {
    buttons.forEach((button) => {
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
    });
  }, 0);
});
// Back from the next page (bfcache): the form may be used again.
window.addEventListener("pageshow", () => {
  document.querySelectorAll("form[data-posting]").forEach((form) => {
    delete form.dataset.posting;
    form.querySelectorAll("[aria-busy=true]").forEach((button) => {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    });
  });
});

// The header's menu on narrow screens: the button shows and hides the links, the account and
// the language switch; Escape closes it and returns focus to the button.
(() => {
  const toggle = document.getElementById("menu-toggle");
  const menu = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (!menu) return;
  const setOpen = (open) => toggle.setAttribute("aria-expanded", open ? "true" : "false");
  toggle.addEventListener("click", () => setOpen(toggle.getAttribute("aria-expanded") !== "true"));
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape" || toggle.getAttribute("aria-expanded") !== "true") return;
    setOpen(false);
    toggle.focus();
  });
})();

// After a refused submit the page comes back with errors, often below the fold (issue 13):
// the first one is scrolled into view and focused. A field's error focuses the field, which
// names the error in aria-describedby; an error of the whole form or page focuses itself.
// A screen reader then reads the field and its error, a sighted user sees both.
(() => {
  const visible = (node) => node.getClientRects().length > 0;
  const first = [
    ...document.querySelectorAll(
      "main .form-errors, main .page-error, main [aria-invalid='true'], main .field p.error, main fieldset p.error",
    ),
  ].find(visible);
  if (!first) return;
  let target = first;
  if (first.matches("p.error")) {
    const box = first.closest(".field, fieldset");
    const control =
      box && (box.querySelector("[aria-invalid='true']") || box.querySelector("input:checked, input, textarea, select"));
    if (control && visible(control)) {
      if (!first.id) first.id = (control.id || "field") + "-error";
      const described = (control.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
      if (!described.includes(first.id)) control.setAttribute("aria-describedby", [...described, first.id].join(" "));
      target = control;
    }
  }
  if (!target.matches("input, textarea, select, button, a[href], [tabindex]")) target.setAttribute("tabindex", "-1");
  // Wait a frame: the page's own scripts may still lay it out (the details of a form open).
  window.requestAnimationFrame(() => {
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  });
})();
