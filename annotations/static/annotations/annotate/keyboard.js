// The page's keys: a label's number or letter tags the selection, Esc drops it; j/k walk the
// list, e edits the note, Esc closes the panel. Keys typed into a field are left alone.
import { LABELS, USER, state } from "./state.js";
import { field, panel } from "./panel.js";
import { deselect, step } from "./selection.js";
import { createFromSelection, hideToolbar, selectedSpan } from "./tagging.js";

const isTyping = (target) => target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));

function onKeyDown(event) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (isTyping(event.target) || state.editingText) return;
  const key = event.key;
  const span = USER.can_edit ? selectedSpan() : null;
  if (span) {
    const label =
      LABELS.find((l) => l.key && l.key === key) || LABELS.find((l) => l.shortcut && l.shortcut.toLowerCase() === key.toLowerCase());
    if (label) {
      event.preventDefault();
      createFromSelection(label.slug, span);
      return;
    }
    if (key === "Escape") {
      window.getSelection().removeAllRanges();
      hideToolbar();
      return;
    }
  }
  if (event.target.closest && event.target.closest("mark[data-sid]") && (key === "Enter" || key === "Backspace")) return;
  if (key === "j") {
    event.preventDefault();
    step(1);
  } else if (key === "k") {
    event.preventDefault();
    step(-1);
  } else if (key === "e" && state.selectedId !== null && panel && !panel.hidden && !field.note.disabled) {
    event.preventDefault();
    field.note.focus();
  } else if (key === "Escape" && state.selectedId !== null) {
    deselect();
  }
}

export function wireKeyboard() {
  document.addEventListener("keydown", onKeyDown);
}
