// Tagging a selection. The label key (or a toolbar button) draws the highlight at once, with
// the "pending" style, and sends the POST with an Idempotency-Key (a retry after a network
// failure sends the same key, so it cannot make the annotation twice). The server's answer
// confirms it (its id and version replace the temporary ones) or rolls it back: the
// highlight and the entry go, the selection comes back and the server's message is shown
// (a 409 "already tagged: …" among them).
import { api, idempotencyKey } from "./api.js";
import { placeCaret, textHasFocus } from "./caret.js";
import { $, _, announce, errorText, format, showTextNotice } from "./dom.js";
import { removeEntry, updateEntry } from "./list.js";
import { selectOffsets, selectionSpan } from "./offsets.js";
import { select } from "./selection.js";
import { ARTICLE, USER, labelName, merge, state, textEl } from "./state.js";
import { redrawSpan } from "./textview.js";

const toolbar = $("selection-toolbar");
const article = $("annotate");
let temporaryId = 0;
// The span the toolbar was shown for: a tap on a toolbar button may take the selection away
// before the button's click arrives (touch screens), and the tag still means that span.
let toolbarSpan = null;
// A finger's selection has the browser's own handles and menu above it: the toolbar goes below.
const coarsePointer = window.matchMedia("(pointer: coarse)");

// The current selection as a trimmed UTF-16 span of the text, or null.
export function selectedSpan() {
  if (state.editingText) return null;
  return selectionSpan(textEl, state.text);
}

export function hideToolbar() {
  if (toolbar) toolbar.hidden = true;
  toolbarSpan = null;
}

export function placeToolbar() {
  if (!toolbar || !USER.can_edit) return;
  const span = state.touchSelecting ? null : selectedSpan();
  if (!span) {
    hideToolbar();
    return;
  }
  const rects = span.range.getClientRects();
  const rect = rects.length ? rects[0] : span.range.getBoundingClientRect();
  const box = article.getBoundingClientRect();
  toolbar.hidden = false;
  toolbarSpan = span;
  const width = toolbar.offsetWidth;
  const height = toolbar.offsetHeight;
  const left = Math.max(4, Math.min(rect.left - box.left, box.width - width - 4));
  let top = rect.top - box.top - height - 8;
  if (coarsePointer.matches) {
    const last = rects.length ? rects[rects.length - 1] : rect;
    top = last.bottom - box.top + 8;
  } else if (rect.top - height - 8 < 0) {
    top = rect.bottom - box.top + 8;
  }
  toolbar.style.left = `${left}px`;
  toolbar.style.top = `${top}px`;
}

async function post(body) {
  const headers = { "Idempotency-Key": idempotencyKey() };
  const response = await api("POST", "annotations/", body, headers);
  // Unreachable: the request may or may not have arrived; the same key makes the retry safe.
  return response.status === 0 ? api("POST", "annotations/", body, headers) : response;
}

export async function createFromSelection(slug, span = selectedSpan()) {
  if (!span) return;
  const body = {
    article: ARTICLE.id,
    start: state.offsets.toCodePoint(span.start),
    end: state.offsets.toCodePoint(span.end),
    label: slug,
    exact: state.text.slice(span.start, span.end),
  };
  temporaryId -= 1;
  const pending = {
    ...body,
    id: temporaryId,
    status: "open",
    anchor_state: "anchored",
    note: "",
    assignees: [],
    current_verdict: null,
    verdicts: [],
    pending: true,
  };
  // The selection goes first: dropping it after the DOM changed would make the browser lay
  // out the whole text at once (tens of milliseconds at 100 KB).
  // From the keyboard: in the text, or on a toolbar button reached with Tab (a click or a
  // tap on one leaves the focus where it was).
  const fromToolbar = toolbar && toolbar.contains(document.activeElement);
  const byKeyboard = fromToolbar || textHasFocus();
  window.getSelection().removeAllRanges();
  hideToolbar();
  state.annotations.set(pending.id, pending);
  redrawSpan(body.start, body.end);
  // The caret waits after the span for the next one (the hidden toolbar keeps no focus).
  if (fromToolbar) textEl.focus({ preventScroll: true });
  if (byKeyboard) placeCaret(span.end);
  updateEntry(pending);
  announce(_("Saving…"));
  const response = await post(body);
  state.annotations.delete(pending.id);
  if (!response.ok) {
    redrawSpan(body.start, body.end);
    removeEntry(pending.id);
    // The selection comes back, so another label is one key away.
    if (!window.getSelection().toString()) selectOffsets(textEl, span.start, span.end);
    announce(errorText(response));
    showTextNotice(errorText(response), "error");
    return;
  }
  const created = merge({ ...response.data, verdicts: [] });
  redrawSpan(body.start, body.end);
  if (created.start !== body.start || created.end !== body.end) redrawSpan(created.start, created.end);
  updateEntry(created, pending.id);
  select(created.id, { scroll: false });
  announce(format(_("%(label)s created."), { label: labelName(slug) }));
}

export function wireTagging() {
  let toolbarFrame = 0;
  document.addEventListener("selectionchange", () => {
    if (!USER.can_edit) return;
    cancelAnimationFrame(toolbarFrame);
    toolbarFrame = requestAnimationFrame(placeToolbar);
  });
  if (toolbar) {
    // Keep the selection when a toolbar button is pressed.
    toolbar.addEventListener("mousedown", (event) => event.preventDefault());
    toolbar.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-label]");
      if (button) createFromSelection(button.dataset.label, selectedSpan() || toolbarSpan);
    });
  }
}
