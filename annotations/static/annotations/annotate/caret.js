// The caret in the article text, so that a span can be selected without a mouse. Tab (or `t`)
// enters the text. The arrow keys move the caret: Ctrl or Alt with Left/Right by word,
// Home/End to the line's ends, Ctrl+Home/End to the text's. With Shift they select, and
// `(` and `)` extend the selection by a sentence. The label keys then tag it (keyboard.js).
//
// The caret is the document's own collapsed selection, moved by Selection.modify (the
// browser's word, line and sentence boundaries). A browser paints no caret in text that
// cannot be edited, so a bar is drawn at its place while the keyboard is in the text. When
// the caret stands before a highlighted character the highlight takes the focus, so that a
// screen reader announces it with its label and state (its title, "Behauptung (Offen)").
import { $, _, announce, format } from "./dom.js";
import { boundaryAt, boundaryOffset } from "./offsets.js";
import { state, textEl } from "./state.js";

const bar = $("text-caret");
const article = $("annotate");
// Highlights given a tabindex here, to take it away again on blur (suggestion handles
// are focusable in their own right and keep theirs).
const madeFocusable = new WeakSet();
// The bar shows while the keyboard drives the caret, not after a click or a tap.
let byKeyboard = false;
// Where the caret was (UTF-16) when the text lost the focus: Tab back in resumes there.
let remembered = 0;
let announceTimer = 0;

const SELECTION_ANNOUNCE_MS = 400;
const ANNOUNCED_CHARS = 120;

export const textHasFocus = () => textEl.contains(document.activeElement);
const isHighlight = (node) => !!node && node.nodeName === "MARK" && node.dataset.ids !== undefined;
const within = (node) => !!node && textEl.contains(node);

// The caret (the selection's moving end) as a UTF-16 offset of the text, or null.
export function caretOffset() {
  const selection = window.getSelection();
  if (!selection.rangeCount || !within(selection.focusNode)) return null;
  return boundaryOffset(textEl, selection.focusNode, selection.focusOffset, state.text.length);
}

export function placeCaret(at) {
  const point = boundaryAt(textEl, Math.max(0, Math.min(at, state.text.length)));
  window.getSelection().collapse(point.node, point.offset);
}

// The selection inside the text as offsets, to be put back after its nodes were redrawn
// (a redraw removes the text nodes that the selection points into).
export function saveSelection() {
  const selection = window.getSelection();
  if (!selection.rangeCount || !within(selection.anchorNode) || !within(selection.focusNode)) return null;
  const length = state.text.length;
  return {
    anchor: boundaryOffset(textEl, selection.anchorNode, selection.anchorOffset, length),
    focus: boundaryOffset(textEl, selection.focusNode, selection.focusOffset, length),
  };
}

export function restoreSelection(saved) {
  if (!saved) return;
  const anchor = boundaryAt(textEl, saved.anchor);
  const focus = boundaryAt(textEl, saved.focus);
  window.getSelection().setBaseAndExtent(anchor.node, anchor.offset, focus.node, focus.offset);
}

// The highlight of the character after the caret, or null.
export function highlightAtCaret() {
  const selection = window.getSelection();
  if (!selection.rangeCount || !within(selection.focusNode)) return null;
  const node = selection.focusNode;
  const offset = selection.focusOffset;
  if (node === textEl) return isHighlight(textEl.childNodes[offset]) ? textEl.childNodes[offset] : null;
  // A piece of the text: a text node of the container, or the one text node of a mark.
  const piece = node.parentNode === textEl ? node : node.parentNode;
  const length = node.nodeType === Node.TEXT_NODE ? node.length : node.childNodes.length;
  if (offset < length) return isHighlight(piece) ? piece : null;
  return isHighlight(piece.nextSibling) ? piece.nextSibling : null;
}

function focusMark(mark) {
  if (!mark.hasAttribute("tabindex")) {
    mark.tabIndex = -1;
    madeFocusable.add(mark);
  }
  mark.focus({ preventScroll: true });
}

// Put the caret at the start of `mark` and the focus on it (the jump back from the panel).
export function focusHighlight(mark, { keyboard = true } = {}) {
  byKeyboard = keyboard;
  const text = mark.firstChild;
  if (text) window.getSelection().collapse(text, 0);
  focusMark(mark);
  drawCaret();
}

// Into the text with the caret where it was (the `t` key).
export function focusText() {
  byKeyboard = true;
  textEl.focus({ preventScroll: true });
  if (caretOffset() === null) placeCaret(remembered);
  followCaret();
}

// [alter, direction, granularity] for a caret key, or null for any other key.
function movement(event) {
  const alter = event.shiftKey ? "extend" : "move";
  const byWord = event.ctrlKey || event.altKey;
  switch (event.key) {
    case "ArrowLeft":
      return [alter, "backward", byWord ? "word" : "character"];
    case "ArrowRight":
      return [alter, "forward", byWord ? "word" : "character"];
    case "ArrowUp":
      return [alter, "backward", byWord ? "paragraph" : "line"];
    case "ArrowDown":
      return [alter, "forward", byWord ? "paragraph" : "line"];
    case "Home":
      return [alter, "backward", event.ctrlKey ? "text" : "lineboundary"];
    case "End":
      return [alter, "forward", event.ctrlKey ? "text" : "lineboundary"];
    case "(":
      return byWord ? null : ["extend", "backward", "sentence"];
    case ")":
      return byWord ? null : ["extend", "forward", "sentence"];
    default:
      return null;
  }
}

// Move or extend to UTF-16 offset `at`.
function moveTo(selection, alter, at) {
  const point = boundaryAt(textEl, at);
  if (alter === "move") selection.collapse(point.node, point.offset);
  else selection.extend(point.node, point.offset);
}

function onKeyDown(event) {
  if (event.defaultPrevented || event.metaKey || state.editingText) return;
  const move = movement(event);
  if (!move) return;
  event.preventDefault();
  byKeyboard = true;
  const selection = window.getSelection();
  if (!selection.rangeCount || !within(selection.anchorNode)) placeCaret(remembered);
  const [alter, direction, granularity] = move;
  if (granularity === "text") {
    // A final line break draws no line of its own: the text's end is before it.
    const end = state.text.length - (state.text.endsWith("\n") ? 1 : 0);
    moveTo(selection, alter, direction === "forward" ? end : 0);
  } else {
    selection.modify(alter, direction, granularity);
    // Line and sentence moves run on into whatever follows the text: keep them inside.
    if (!within(selection.focusNode)) {
      const after = textEl.compareDocumentPosition(selection.focusNode) & Node.DOCUMENT_POSITION_FOLLOWING;
      moveTo(selection, alter, after ? state.text.length : 0);
    }
  }
  followCaret();
  if (alter === "extend") announceSelectionSoon();
}

// The focus goes with the caret: onto the highlight it stands at, else back to the text.
function followCaret() {
  const mark = highlightAtCaret();
  if (mark) {
    if (mark !== document.activeElement) focusMark(mark);
  } else if (document.activeElement !== textEl) {
    textEl.focus({ preventScroll: true });
  }
  drawCaret();
  if (bar && !bar.hidden) bar.scrollIntoView({ block: "nearest" });
}

// Screen readers do not follow a selection in text that is not editable: once the keys
// rest, the live region reads what is selected.
function announceSelectionSoon() {
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => {
    const selected = window.getSelection().toString().trim();
    if (!selected || !textHasFocus()) return;
    const quote = selected.length > ANNOUNCED_CHARS ? selected.slice(0, ANNOUNCED_CHARS - 1) + "…" : selected;
    announce(format(_("Selected: “%(quote)s”"), { quote }));
  }, SELECTION_ANNOUNCE_MS);
}

// The viewport box of the caret at UTF-16 offset `at`: the right edge of the character
// before it, or the left edge of the one after it at a line's start.
function caretBox(at) {
  const text = state.text;
  const range = document.createRange();
  const charBox = (from, side) => {
    const code = text.charCodeAt(from);
    const width = code >= 0xd800 && code <= 0xdbff ? 2 : 1;
    const point = boundaryAt(textEl, from);
    if (point.node.nodeType !== Node.TEXT_NODE || point.offset + width > point.node.length) return null;
    range.setStart(point.node, point.offset);
    range.setEnd(point.node, point.offset + width);
    const rects = range.getClientRects();
    if (!rects.length) return null;
    const rect = side === "end" ? rects[rects.length - 1] : rects[0];
    return { left: side === "end" ? rect.right : rect.left, top: rect.top, height: rect.height };
  };
  if (at > 0 && text[at - 1] !== "\n") {
    const code = text.charCodeAt(at - 1);
    const from = code >= 0xdc00 && code <= 0xdfff && at > 1 ? at - 2 : at - 1;
    const box = charBox(from, "end");
    if (box) return box;
  }
  if (at < text.length) {
    const box = charBox(at, "start");
    if (box) return box;
  }
  // After the final line break: the start of the empty line below the text's last line.
  const before = at > 0 ? charBox(at - 1, "start") : null;
  const edge = textEl.getBoundingClientRect();
  return before ? { left: edge.left, top: before.top + before.height, height: before.height } : null;
}

function drawCaret() {
  if (!bar) return;
  const at = byKeyboard && textHasFocus() && !state.editingText ? caretOffset() : null;
  const box = at === null ? null : caretBox(at);
  if (!box) {
    bar.hidden = true;
    return;
  }
  const origin = article.getBoundingClientRect();
  bar.hidden = false;
  bar.style.left = `${box.left - origin.left}px`;
  bar.style.top = `${box.top - origin.top}px`;
  bar.style.height = `${box.height}px`;
}

export function wireCaret() {
  textEl.addEventListener("keydown", onKeyDown);
  textEl.addEventListener("pointerdown", () => (byKeyboard = false));
  textEl.addEventListener("focusin", (event) => {
    // Tabbed into: the caret where it was. (Focus by a click leaves the click's caret.)
    if (event.target === textEl && textEl.matches(":focus-visible")) {
      byKeyboard = true;
      if (caretOffset() === null) placeCaret(remembered);
    }
    drawCaret();
  });
  textEl.addEventListener("focusout", (event) => {
    if (madeFocusable.has(event.target)) {
      event.target.removeAttribute("tabindex");
      madeFocusable.delete(event.target);
    }
    if (!textEl.contains(event.relatedTarget)) {
      const at = caretOffset();
      if (at !== null) remembered = at;
      if (bar) bar.hidden = true;
    }
  });
  let frame = 0;
  const redraw = () => {
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(drawCaret);
  };
  document.addEventListener("selectionchange", redraw);
  window.addEventListener("resize", redraw);
}
