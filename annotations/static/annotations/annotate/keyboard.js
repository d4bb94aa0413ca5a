// The page's keys: a label's number or letter tags the selection, Esc drops it; `t` puts the
// caret into the text (caret.js moves it), Enter opens the highlight at the caret, `g` jumps
// between a highlight and its details; j/k walk the list, e edits the note, Esc closes the
// panel, `?` shows all of them. Keys typed into a field are left alone.
import { caretOffset, focusText, highlightAtCaret, textHasFocus } from "./caret.js";
import { $, _, announce, keepFocusIn } from "./dom.js";
import { LABELS, USER, state } from "./state.js";
import { field, panel } from "./panel.js";
import { annotationsAt, deselect, openHighlight, showDetails, showInText, step } from "./selection.js";
import { createFromSelection, hideToolbar, selectedSpan } from "./tagging.js";

const isTyping = (target) => target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
const help = $("keys-help");

function onKeyDown(event) {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (isTyping(event.target) || state.editingText || (help && help.open)) return;
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
      // In the text the caret stays where the selection ended; elsewhere it goes.
      const selection = window.getSelection();
      if (textHasFocus()) selection.collapse(selection.focusNode, selection.focusOffset);
      else selection.removeAllRanges();
      hideToolbar();
      return;
    }
  }
  if (event.target.closest && event.target.closest("mark[data-sid]") && (key === "Enter" || key === "Backspace")) return;
  if (key === "Enter" && textHasFocus()) {
    const mark = highlightAtCaret();
    if (mark) {
      event.preventDefault();
      openHighlight(mark);
    }
  } else if (key === "j") {
    event.preventDefault();
    step(1);
  } else if (key === "k") {
    event.preventDefault();
    step(-1);
  } else if (key === "t") {
    event.preventDefault();
    focusText();
  } else if (key === "g") {
    event.preventDefault();
    jump();
  } else if (key === "?" && help) {
    event.preventDefault();
    openHelp();
  } else if (key === "e" && state.selectedId !== null && panel && !panel.hidden && !field.note.disabled) {
    event.preventDefault();
    field.note.focus();
  } else if (key === "Escape" && state.selectedId !== null) {
    deselect();
  }
}

// `g`: from a highlight (or the caret on one) to its annotation's details, and from the
// details or the list back to its highlight.
function jump() {
  if (textHasFocus()) {
    const mark = highlightAtCaret();
    const ids = mark ? annotationsAt(mark) : [];
    if (!ids.length) {
      announce(caretOffset() === null ? _("Move the caret onto a highlight first.") : _("There is no highlight at the caret."));
      return;
    }
    showDetails(ids.includes(state.selectedId) ? state.selectedId : ids[0]);
    return;
  }
  const entry = document.activeElement && document.activeElement.closest("#annotation-list li[data-id]");
  const id = entry ? Number(entry.dataset.id) : state.selectedId;
  if (id === null) focusText();
  else showInText(id);
}

// The help is a modal dialog: the page behind it is inert, Tab goes round its own controls
// (a modal dialog alone would let it out to the browser's bar), and on closing (Esc or its
// button) the focus goes back to where it was.
let helpOpener = null;

function openHelp() {
  helpOpener = document.activeElement;
  help.showModal();
}

function wireHelp() {
  if (!help) return;
  keepFocusIn(help);
  help.addEventListener("close", () => {
    if (helpOpener && helpOpener.isConnected) helpOpener.focus();
    helpOpener = null;
  });
  const button = $("keys-help-button");
  if (button) button.addEventListener("click", openHelp);
}

export function wireKeyboard() {
  document.addEventListener("keydown", onKeyDown);
  wireHelp();
}
