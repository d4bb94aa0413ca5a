// Which annotation is selected: choosing one (list click, mark click or tap, Enter on a
// highlight, j/k) marks its highlight and list entry and opens the panel; deselecting closes
// it. The `g` key jumps between a highlight and its panel (keyboard.js, showInText).
import { focusHighlight } from "./caret.js";
import { _, announce } from "./dom.js";
import { closePanel, openPanel, panel } from "./panel.js";
import { entryOf, listEl, markSelectedEntry, visibleAnnotations } from "./list.js";
import { state, textEl } from "./state.js";
import { markCurrent, marksOf } from "./textview.js";

export function select(id, { scroll = true, focusList = false } = {}) {
  const a = state.annotations.get(id);
  // A tag still on its way to the server has no panel yet (tagging.js selects it after).
  if (!a || a.pending) return;
  const previous = state.selectedId;
  state.selectedId = id;
  markCurrent();
  const item = markSelectedEntry(id, previous);
  // On a narrow screen the panel is a sheet over the lower part of the page (app.css) and
  // the list is far below the text: the page stays at the highlight, above the sheet.
  const sheet = window.matchMedia(SHEET_MEDIA).matches;
  if (item) {
    if (!sheet) item.scrollIntoView({ block: "nearest" });
    const button = item.querySelector("button.entry");
    if (focusList && button) button.focus({ preventScroll: true });
  }
  if (scroll && !sheet) {
    const first = marksOf(id)[0];
    if (first) first.scrollIntoView({ block: "center", behavior: "smooth" });
  }
  openPanel(id);
  if (sheet) keepAboveSheet(marksOf(id)[0]);
}

// The width below which app.css turns the panel into a bottom sheet.
const SHEET_MEDIA = "(max-width: 60rem)";

function keepAboveSheet(mark) {
  const sheet = document.getElementById("detail-panel");
  if (!mark || !sheet || sheet.hidden) return;
  const box = mark.getBoundingClientRect();
  if (box.top < 0 || box.bottom > sheet.getBoundingClientRect().top) mark.scrollIntoView({ block: "start" });
}

// Focus the first highlight of annotation `id`, with the caret at its start, in view. False
// when it has none (withdrawn, orphaned, or filtered out of the drawn text).
function focusHighlightOf(id, options) {
  const mark = marksOf(id)[0];
  if (!mark) return false;
  focusHighlight(mark, options);
  if (window.matchMedia(SHEET_MEDIA).matches) keepAboveSheet(mark);
  else mark.scrollIntoView({ block: "nearest" });
  return true;
}

// From the panel or the list back to the text: the annotation's highlight takes the focus.
export function showInText(id) {
  if (state.selectedId !== id) select(id, { scroll: false });
  if (!focusHighlightOf(id)) announce(_("This annotation has no highlight in the text."));
}

// To the details of the annotation at a highlight: the panel takes the focus.
export function showDetails(id) {
  select(id, { scroll: false });
  if (panel && !panel.hidden) panel.focus();
}

export function deselect() {
  const previous = state.selectedId;
  // Closing the panel must not drop the focus on the page's body: it goes back to the
  // annotation's highlight (or its list entry), where the panel was opened from.
  const active = document.activeElement;
  const focusInPanel = panel && panel.contains(active);
  const keyboard = focusInPanel && active.matches(":focus-visible");
  state.selectedId = null;
  markCurrent();
  markSelectedEntry(null, previous);
  closePanel();
  if (!focusInPanel || previous === null || focusHighlightOf(previous, { keyboard })) return;
  const entry = entryOf(previous);
  const button = entry && entry.querySelector("button.entry");
  if (button) button.focus();
}

export function step(delta) {
  const items = visibleAnnotations();
  if (!items.length) return;
  let index = items.findIndex((a) => a.id === state.selectedId);
  if (index === -1) index = delta > 0 ? 0 : items.length - 1;
  else index = Math.min(items.length - 1, Math.max(0, index + delta));
  select(items[index].id, { focusList: document.activeElement && listEl && listEl.contains(document.activeElement) });
}

export function wireSelection() {
  if (listEl) {
    listEl.addEventListener("click", (event) => {
      const button = event.target.closest("button.entry");
      if (button) select(Number(button.dataset.id));
    });
  }
  textEl.addEventListener("click", (event) => {
    const selection = window.getSelection();
    if (selection && !selection.isCollapsed && textEl.contains(selection.anchorNode)) return;
    const mark = event.target.closest("mark[data-ids]");
    if (mark) openHighlight(mark);
  });
}

// The annotations of a highlight, innermost (shortest) first.
export function annotationsAt(mark) {
  return mark.dataset.ids
    .split(" ")
    .map(Number)
    .filter((id) => state.annotations.has(id))
    .sort((x, y) => {
      const a = state.annotations.get(x);
      const b = state.annotations.get(y);
      return a.end - a.start - (b.end - b.start) || x - y;
    });
}

// Open a highlight's annotation (a click, a tap, Enter). Again on the same overlap cycles from
// the innermost span outwards.
export function openHighlight(mark) {
  const ids = annotationsAt(mark);
  if (!ids.length) return;
  const at = ids.indexOf(state.selectedId);
  select(at === -1 ? ids[0] : ids[(at + 1) % ids.length], { scroll: false });
}
