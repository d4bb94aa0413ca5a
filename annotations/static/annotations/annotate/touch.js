// Selecting text with a finger: press and hold a word to select it, then drag to extend the
// selection word by word; when the finger lifts, the selection toolbar (tagging.js) offers
// the labels. A tap on a highlight opens it (selection.js: a tap is a click).
//
// Phones' browsers select on a long press themselves (with handles): where one has done so,
// this leaves the selection to it. Where none does, this selects the word, and once it has,
// the finger's moves extend the selection instead of scrolling the page.
import { boundaryOffset, selectOffsets } from "./offsets.js";
import { USER, state, textEl } from "./state.js";
import { placeToolbar } from "./tagging.js";

const LONG_PRESS_MS = 500;
// A finger that moves further than this before the press is long is scrolling.
const SLOP_PX = 10;
// Word boundaries are looked for this far around the finger, not in the whole text.
const WORD_WINDOW = 200;

let press = null; // {x, y, timer, word: [start, end] UTF-16 or null}

function offsetAt(x, y) {
  let node = null;
  let offset = 0;
  if (document.caretPositionFromPoint) {
    const position = document.caretPositionFromPoint(x, y);
    if (position) ({ offsetNode: node, offset } = position);
  } else if (document.caretRangeFromPoint) {
    const range = document.caretRangeFromPoint(x, y);
    if (range) ({ startContainer: node, startOffset: offset } = range);
  }
  if (!node || !textEl.contains(node)) return null;
  return boundaryOffset(textEl, node, offset, state.text.length);
}

const segmenter = window.Intl && Intl.Segmenter ? new Intl.Segmenter(textEl.lang || undefined, { granularity: "word" }) : null;

// The word (UTF-16 [start, end)) at offset `at`, or null on a space.
function wordAt(at) {
  if (!segmenter) return /\s/.test(state.text[at] || " ") ? null : [at, at + 1];
  const from = Math.max(0, at - WORD_WINDOW);
  const piece = state.text.slice(from, at + WORD_WINDOW);
  const segment = segmenter.segment(piece).containing(at - from);
  if (!segment || !segment.segment.trim()) return null;
  return [from + segment.index, from + segment.index + segment.segment.length];
}

function cancel() {
  if (press) clearTimeout(press.timer);
  press = null;
  if (state.touchSelecting) {
    // The finger is off the text: now the toolbar may stand where it was.
    state.touchSelecting = false;
    placeToolbar();
  }
}

function onLongPress() {
  const selection = window.getSelection();
  // The browser selected on its own: its handles do the rest.
  if (!selection.isCollapsed && textEl.contains(selection.anchorNode)) {
    cancel();
    return;
  }
  const at = offsetAt(press.x, press.y);
  const word = at === null ? null : wordAt(at);
  if (!word) {
    cancel();
    return;
  }
  press.word = word;
  state.touchSelecting = true;
  selectOffsets(textEl, word[0], word[1]);
}

function extendTo(x, y) {
  const at = offsetAt(x, y);
  if (at === null) return;
  const [start, end] = press.word;
  const word = wordAt(at) || [at, at];
  if (word[1] > end) selectOffsets(textEl, start, word[1]);
  else if (word[0] < start) selectOffsets(textEl, word[0], end);
  else selectOffsets(textEl, start, end);
}

export function wireTouch() {
  if (!USER.can_edit) return;
  textEl.addEventListener(
    "touchstart",
    (event) => {
      cancel();
      if (event.touches.length !== 1 || state.editingText) return;
      const touch = event.touches[0];
      press = { x: touch.clientX, y: touch.clientY, word: null, timer: setTimeout(onLongPress, LONG_PRESS_MS) };
    },
    { passive: true },
  );
  // Not passive: once a word is selected, a move drags the selection, not the page.
  textEl.addEventListener(
    "touchmove",
    (event) => {
      if (!press) return;
      const touch = event.touches[0];
      if (!press.word) {
        if (Math.hypot(touch.clientX - press.x, touch.clientY - press.y) > SLOP_PX) cancel();
        return;
      }
      if (event.cancelable) event.preventDefault();
      extendTo(touch.clientX, touch.clientY);
    },
    { passive: false },
  );
  textEl.addEventListener("touchend", (event) => {
    // A press that selected is not also a tap on a highlight.
    if (press && press.word && event.cancelable) event.preventDefault();
    cancel();
  });
  textEl.addEventListener("touchcancel", cancel);
  // The browser's own long-press menu would cover the toolbar.
  textEl.addEventListener("contextmenu", (event) => {
    if (press && press.word) event.preventDefault();
  });
}
