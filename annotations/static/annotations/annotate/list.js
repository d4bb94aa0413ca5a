// The sidebar list of annotations: its entries, filters and count. The server draws the
// first list (highlight.annotation_items); this module completes the entries that carry
// more than the server draws and, after a change, inserts, replaces or removes one entry.
import { $, _, el, format } from "./dom.js";
import { DATA, LABEL, sortedAnnotations, state, statusName } from "./state.js";

export const listEl = $("annotation-list");
const filterLabel = $("filter-label");
const filterStatus = $("filter-status");

export function matchesFilters(a) {
  const label = filterLabel ? filterLabel.value : "";
  const status = filterStatus ? filterStatus.value : "";
  if (label && a.label !== label) return false;
  if (status === "all") return true;
  if (status.startsWith("anchor:")) return a.anchor_state === status.slice(7) && a.status !== "withdrawn";
  if (status) return a.status === status;
  return a.status !== "withdrawn";
}

export const visibleAnnotations = () => sortedAnnotations().filter(matchesFilters);

export function verdictStatusName(status) {
  return { proposed: _("proposed"), approved: _("approved"), rejected: _("rejected") }[status] || status;
}

function verdictText(verdict) {
  if (!verdict) return "";
  const rating = DATA.ratings[verdict.rating] || verdict.rating;
  return format(_("%(rating)s (%(status)s)"), { rating, status: verdictStatusName(verdict.status) });
}

// Whether the entry shows more than the server's (status only): anchor, reviewers, verdict.
const hasMore = (a) => a.anchor_state !== "anchored" || (a.assignees && a.assignees.length) || a.current_verdict;

function listItem(a) {
  const label = LABEL[a.label] || { badge: "?", name: a.label };
  const meta = el("span", { class: "meta" }, el("span", { class: "status st-" + a.status }, statusName(a.status)));
  if (a.anchor_state !== "anchored") {
    meta.append(" ", el("span", { class: "anchor anchor-" + a.anchor_state }, DATA.anchor_states[a.anchor_state] || a.anchor_state));
  }
  if (a.assignees && a.assignees.length) {
    meta.append(" ", el("span", { class: "assignees", title: _("Reviewers") }, "→ " + a.assignees.join(", ")));
  }
  if (a.current_verdict) meta.append(" ", el("span", { class: "verdict" }, verdictText(a.current_verdict)));
  const quote = a.exact.length > 140 ? a.exact.slice(0, 139) + "…" : a.exact;
  const selected = a.id === state.selectedId;
  const button = el(
    "button",
    { type: "button", class: "entry", "data-id": a.id, "aria-pressed": selected ? "true" : "false" },
    el("span", { class: "badge hl-" + a.label, "aria-hidden": "true" }, label.badge),
    " ",
    el("span", { class: "label-name" }, label.name),
    " ",
    el("q", {}, quote),
    el("br"),
    meta,
  );
  const classes = [selected ? "selected" : "", a.pending ? "pending" : ""].filter(Boolean).join(" ");
  const item = el("li", { "data-id": a.id, class: classes }, button);
  if (a.note) item.append(el("p", { class: "note" }, a.note));
  return item;
}

function emptyItem() {
  return el("li", { class: "empty" }, state.annotations.size ? _("No annotations match these filters.") : _("No annotations yet."));
}

export function updateCount() {
  const count = $("annotation-count");
  if (!count) return;
  let live = 0;
  for (const a of state.annotations.values()) if (a.status !== "withdrawn") live += 1;
  count.textContent = String(live);
}

export function renderList() {
  if (!listEl) return;
  const items = visibleAnnotations();
  const fragment = document.createDocumentFragment();
  for (const a of items) fragment.append(listItem(a));
  if (!items.length) fragment.append(emptyItem());
  listEl.replaceChildren(fragment);
  updateCount();
}

// The first paint: the server's entries stand; those that show more are drawn again.
export function completeList() {
  if (!listEl) return;
  const entries = new Map();
  for (const item of listEl.children) entries.set(item.dataset.id, item);
  for (const a of state.annotations.values()) {
    if (!hasMore(a) || !matchesFilters(a)) continue;
    const item = entries.get(String(a.id));
    if (item) item.replaceWith(listItem(a));
  }
}

export const entryOf = (id) => (listEl ? listEl.querySelector(`li[data-id="${id}"]`) : null);

// Draw one annotation's entry again after it changed: in place, moved, added or removed as
// the filters now say. `oldId` names the entry to replace when the id itself changed (a
// pending tag that the server confirmed).
export function updateEntry(a, oldId = a.id) {
  if (!listEl) return;
  const current = entryOf(oldId);
  if (current) current.remove();
  if (matchesFilters(a)) {
    const visible = visibleAnnotations();
    const index = visible.findIndex((b) => b.id === a.id);
    let next = null;
    for (let i = index + 1; i < visible.length && !next; i++) next = entryOf(visible[i].id);
    listEl.insertBefore(listItem(a), next);
  }
  fixEmpty();
  updateCount();
}

export function removeEntry(id) {
  const current = entryOf(id);
  if (current) current.remove();
  fixEmpty();
  updateCount();
}

function fixEmpty() {
  const empty = listEl.querySelector("li.empty");
  const hasEntries = listEl.querySelector("li[data-id]");
  if (hasEntries && empty) empty.remove();
  if (!hasEntries && !empty) listEl.append(emptyItem());
}

// Mark the selected entry (and only it) as pressed; returns its entry.
export function markSelectedEntry(id, previousId) {
  if (!listEl) return null;
  for (const item of [entryOf(previousId), ...listEl.querySelectorAll("li.selected")]) {
    if (!item) continue;
    item.classList.remove("selected");
    const button = item.querySelector("button.entry");
    if (button) button.setAttribute("aria-pressed", "false");
  }
  const item = id === null ? null : entryOf(id);
  if (item) {
    item.classList.add("selected");
    const button = item.querySelector("button.entry");
    if (button) button.setAttribute("aria-pressed", "true");
  }
  return item;
}
