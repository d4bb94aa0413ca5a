// Which annotation is selected: choosing one (list click, mark click, j/k) marks its
// highlight and list entry and opens the panel; deselecting closes it.
import { closePanel, openPanel } from "./panel.js";
import { listEl, markSelectedEntry, visibleAnnotations } from "./list.js";
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

export function deselect() {
  const previous = state.selectedId;
  state.selectedId = null;
  markCurrent();
  markSelectedEntry(null, previous);
  closePanel();
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
    if (!mark) return;
    // Clicking the same overlap again cycles from the innermost span outwards.
    const ids = mark.dataset.ids
      .split(" ")
      .map(Number)
      .filter((id) => state.annotations.has(id))
      .sort((x, y) => {
        const a = state.annotations.get(x);
        const b = state.annotations.get(y);
        return a.end - a.start - (b.end - b.start) || x - y;
      });
    if (!ids.length) return;
    const at = ids.indexOf(state.selectedId);
    select(at === -1 ? ids[0] : ids[(at + 1) % ids.length], { scroll: false });
  });
}
