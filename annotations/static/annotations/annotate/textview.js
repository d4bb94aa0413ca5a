// The article text on the page: draws it whole (suggestions shown or hidden) or redraws only
// the pieces around one span (a tag, a withdrawal, a new label), and finds a span's marks.
import { restoreSelection, saveSelection } from "./caret.js";
import { drawnSpans, renderPieces } from "./render.js";
import { renderContext, state, textEl } from "./state.js";

export function renderText() {
  const kept = keepCaret();
  const spans = drawnSpans(state.annotations.values(), state.showSuggestions ? state.suggestions : [], state.offsets);
  textEl.replaceChildren(renderPieces(state.text, spans, renderContext()));
  kept();
}

// A redraw removes the nodes that the keyboard's caret (a selection) and focus may be in:
// both are put back where they were in the text. A mouse selection is dropped before a
// tag redraws (tagging.js), so this costs nothing then.
function keepCaret() {
  const saved = saveSelection();
  const focused = document.activeElement !== textEl && textEl.contains(document.activeElement);
  return () => {
    if (saved) restoreSelection(saved);
    if (focused && !textEl.contains(document.activeElement)) textEl.focus({ preventScroll: true });
  };
}

const nodeLength = (node) => (node.nodeType === Node.TEXT_NODE ? node.length : node.textContent.length);

// Redraw after the span with code point offsets [start, end) appeared, went or changed.
// The container's children are the pieces in order. The redrawn stretch runs from the piece
// before `start` to the piece at `end`: its ends are cuts that another span (or the text's
// edge) makes, so they stay cuts whatever happened to this span, and the pieces either side
// of a cut that the span alone made are drawn again as one.
export function redrawSpan(start, end) {
  const from16 = state.offsets.toUtf16(start);
  const to16 = state.offsets.toUtf16(end);
  const length = state.text.length;
  const before = Math.max(0, from16 - 1);
  const at = Math.min(length - 1, to16);
  let first = null;
  let last = null;
  let from = 0;
  let to = length;
  let position = 0;
  for (let node = textEl.firstChild; node; node = node.nextSibling) {
    const next = position + nodeLength(node);
    if (!first && before < next) {
      first = node;
      from = position;
    }
    if (at < next) {
      last = node;
      to = next;
      break;
    }
    position = next;
  }
  if (!first || !last) {
    renderText();
    return;
  }
  const spans = drawnSpans(state.annotations.values(), state.showSuggestions ? state.suggestions : [], state.offsets, [from, to]);
  const fragment = renderPieces(state.text, spans, renderContext(), from, to);
  const kept = keepCaret();
  const after = last.nextSibling;
  for (let node = first; node !== after; ) {
    const next = node.nextSibling;
    node.remove();
    node = next;
  }
  textEl.insertBefore(fragment, after);
  kept();
}

export function marksOf(id) {
  return [...textEl.querySelectorAll(`mark[data-ids~="${id}"]`)];
}

export function markCurrent() {
  for (const mark of textEl.querySelectorAll("mark.current")) mark.classList.remove("current");
  if (state.selectedId === null) return;
  for (const mark of marksOf(state.selectedId)) mark.classList.add("current");
}
