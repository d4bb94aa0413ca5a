// The import page: a text or file over the server's limits is refused here, before it is
// sent (issue 13). The server would answer 413 to the request without reading it, and the
// pasted text would be gone; here the error sits at the field and the text stays in its box.
// The limits come from the form's data attributes (the server's settings).
import { _, format, textTooLarge } from "./annotate/dom.js";

function showFieldError(control, message) {
  const box = control.closest(".field") || control.parentElement;
  const id = `${control.id}_error`;
  let error = document.getElementById(id);
  if (!error) {
    error = document.createElement("p");
    error.className = "error";
    error.id = id;
    error.setAttribute("role", "alert");
    box.append(error);
  }
  error.textContent = message;
  box.classList.add("has-error");
  control.setAttribute("aria-invalid", "true");
  const described = (control.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
  if (!described.includes(id)) control.setAttribute("aria-describedby", [...described, id].join(" "));
  error.scrollIntoView({ block: "nearest" });
  control.focus({ preventScroll: true });
}

function refusal(form) {
  const maxBytes = Number(form.dataset.maxBytes) || 0;
  const text = form.querySelector("textarea[data-max-chars]");
  if (text) {
    // What the browser sends: the form URL-encoded (ASCII, so its length is its size).
    const bytes = new URLSearchParams(new FormData(form)).toString().length;
    const message = textTooLarge(text.value, { maxChars: Number(text.dataset.maxChars), bytes, maxBytes });
    if (message) return [text, message];
  }
  const file = form.querySelector("input[type=file]");
  const chosen = file && file.files && file.files[0];
  if (chosen && maxBytes && chosen.size > maxBytes) {
    const number = (n) => n.toLocaleString(document.documentElement.lang || undefined, { maximumFractionDigits: 1 });
    const message = format(_("The file is too large: %(size)s MB; the limit is %(limit)s MB."), {
      size: number(chosen.size / 1e6),
      limit: number(maxBytes / 1e6),
    });
    return [file, message];
  }
  return null;
}

for (const form of document.querySelectorAll("form[data-max-bytes]")) {
  form.addEventListener("submit", (event) => {
    const refused = refusal(form);
    if (!refused) return;
    event.preventDefault();
    showFieldError(...refused);
  });
}
