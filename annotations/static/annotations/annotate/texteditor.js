// Editing the article text: the editor box, the save with If-Match on the article's version,
// and after the reload the banner that says how the annotations were re-anchored.
import { api } from "./api.js";
import { $, _, el, errorText, format, setStatus, textTooLarge } from "./dom.js";
import { ARTICLE, LABEL, sortedAnnotations, state, textEl } from "./state.js";
import { select } from "./selection.js";
import { hideToolbar } from "./tagging.js";

const editButton = $("edit-text-button");
const editor = $("text-editor");
const textInput = $("text-input");
const REANCHOR_KEY = `factcheck:reanchored:${ARTICLE ? ARTICLE.id : ""}`;
const NEWER_TEXT = () =>
  _("Someone saved a newer text while you were editing. Your text is still in the box: copy it, reload the page, and apply your change again.");

function setEditing(on) {
  state.editingText = on;
  editor.hidden = !on;
  textEl.hidden = on;
  hideToolbar();
  if (editButton) editButton.setAttribute("aria-pressed", on ? "true" : "false");
  if (on) {
    textInput.value = state.text;
    setStatus(editor.querySelector(".form-status"), "");
    textInput.focus();
    state.versionRead = refreshVersion();
  }
}

// Tags and status changes move the article's version (its ETag) while the page is open.
// The edit is compared with the version read when the editor opens, provided the text is
// still the one on this page; a text saved by someone else meanwhile is reported instead.
async function refreshVersion() {
  const response = await api("GET", `articles/${ARTICLE.id}/`);
  if (!response.ok || !response.data) return;
  if (response.data.revision !== ARTICLE.revision) {
    setStatus(editor.querySelector(".form-status"), NEWER_TEXT(), "error");
    return;
  }
  const version = Number((response.etag || "").replace(/"/g, ""));
  if (version) ARTICLE.version = version;
}

// A refusal sits at the field: the box is marked invalid and names the message, which is
// scrolled into view while the focus returns to the text (issue 13).
function showTextError(message) {
  const status = editor.querySelector(".form-status");
  setStatus(status, message, "error");
  textInput.setAttribute("aria-invalid", "true");
  textInput.setAttribute("aria-describedby", status.id);
  status.scrollIntoView({ block: "nearest" });
  textInput.focus({ preventScroll: true });
}

function clearTextError() {
  textInput.removeAttribute("aria-invalid");
  textInput.removeAttribute("aria-describedby");
}

async function saveText(event) {
  event.preventDefault();
  const status = editor.querySelector(".form-status");
  clearTextError();
  if (textInput.value === state.text) {
    setStatus(status, _("The text is unchanged."));
    return;
  }
  const tooLarge = textTooLarge(textInput.value, {
    maxChars: Number(textInput.dataset.maxChars),
    bytes: new TextEncoder().encode(JSON.stringify({ text: textInput.value })).length,
    maxBytes: Number(textInput.dataset.maxBytes),
  });
  if (tooLarge) {
    showTextError(tooLarge);
    return;
  }
  setStatus(status, _("Saving…"));
  await state.versionRead;
  // If-Match names the article's version this text was based on: when a colleague saved
  // anything meanwhile the server answers 412 and changes nothing; what was typed stays.
  const response = await api("PATCH", `articles/${ARTICLE.id}/`, { text: textInput.value }, { "If-Match": `"${ARTICLE.version}"` });
  if (!response.ok) {
    showTextError(response.status === 412 ? NEWER_TEXT() : errorText(response));
    return;
  }
  const counts = (response.data && response.data.reanchored) || { anchored: 0, fuzzy: 0, orphaned: 0 };
  try {
    window.sessionStorage.setItem(REANCHOR_KEY, JSON.stringify({ counts, revision: response.data.revision }));
  } catch (error) {
    // Private mode without storage: the banner is lost, the edit is not.
  }
  // The page is drawn again from the new revision with every span re-anchored.
  window.location.reload();
}

export function wireTextEditor() {
  if (!editButton || !editor) return;
  editButton.addEventListener("click", () => setEditing(!state.editingText));
  $("text-cancel").addEventListener("click", () => setEditing(false));
  editor.addEventListener("submit", saveText);
}

export function showReanchorBanner() {
  const banner = $("reanchor-banner");
  let saved = null;
  try {
    saved = JSON.parse(window.sessionStorage.getItem(REANCHOR_KEY) || "null");
    window.sessionStorage.removeItem(REANCHOR_KEY);
  } catch (error) {
    saved = null;
  }
  if (!banner || !saved) return;
  const counts = saved.counts || {};
  const orphans = sortedAnnotations().filter((a) => a.anchor_state === "orphaned" && a.status !== "withdrawn");
  const children = [
    el(
      "p",
      { class: "reanchor-summary" },
      el("strong", {}, format(_("Text saved as revision %(revision)s."), { revision: saved.revision || ARTICLE.revision })),
      " ",
      format(_("Re-anchored: %(anchored)s in place, %(fuzzy)s moved to a close match (fuzzy), %(orphaned)s orphaned."), {
        anchored: counts.anchored || 0,
        fuzzy: counts.fuzzy || 0,
        orphaned: counts.orphaned || 0,
      }),
    ),
  ];
  if (orphans.length) {
    children.push(el("p", {}, _("Orphaned annotations keep their old quote:")));
    const list = el("ul", { class: "orphans" });
    for (const a of orphans) {
      const button = el(
        "button",
        { type: "button", class: "link", "data-id": a.id },
        el("span", { class: "badge hl-" + a.label, "aria-hidden": "true" }, (LABEL[a.label] || {}).badge || "?"),
        " ",
        el("q", {}, a.exact),
      );
      button.addEventListener("click", () => select(a.id));
      list.append(el("li", {}, button));
    }
    children.push(list);
  }
  const close = el("button", { type: "button", class: "close", "aria-label": _("Close") }, "×");
  close.addEventListener("click", () => (banner.hidden = true));
  children.push(close);
  banner.replaceChildren(...children);
  banner.className = "banner " + (counts.orphaned ? "warning" : "info");
  banner.hidden = false;
}
