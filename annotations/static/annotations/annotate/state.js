// The page's data (the json_script tag "page-data") and the state every module shares: the
// annotations by id, the selection, the suggestions. Modules change `state` in place.
import { Offsets } from "./offsets.js";

export const textEl = document.getElementById("article-text");
const dataNode = document.getElementById("page-data");
export const DATA = dataNode && textEl ? JSON.parse(dataNode.textContent) : null;

export const ARTICLE = DATA ? DATA.article : null;
export const USER = DATA ? DATA.user : {};
export const LABELS = DATA ? DATA.labels : [];
export const LABEL = Object.fromEntries(LABELS.map((l) => [l.slug, l]));

export const state = {
  text: textEl ? textEl.textContent : "",
  offsets: null,
  annotations: new Map(DATA ? DATA.annotations.map((a) => [a.id, a]) : []),
  selectedId: null,
  formFor: null, // id whose values the panel form holds
  dirty: false, // the user typed in the panel form since it was filled
  conflict: null, // {theirs} after a 412
  reviewers: DATA ? DATA.reviewers : [],
  suggestions: [],
  showSuggestions: false,
  editingText: false,
  touchSelecting: false, // a finger is dragging a selection (touch.js): no toolbar under it
};
state.offsets = new Offsets(state.text);

export const byTextOrder = (a, b) => a.start - b.start || a.end - b.end || a.id - b.id;
export const sortedAnnotations = () => [...state.annotations.values()].sort(byTextOrder);
export const isDrawn = (a) => a.status !== "withdrawn" && a.anchor_state !== "orphaned";
export const labelName = (slug) => (LABEL[slug] ? LABEL[slug].name : slug);
export const statusName = (status) => DATA.statuses[status] || status;

// What the renderer needs to know about labels and statuses (render.js reads no page data).
export const renderContext = () => ({ labels: LABEL, statuses: DATA.statuses, selectedId: state.selectedId });

export function merge(updated) {
  const previous = state.annotations.get(updated.id) || {};
  // The API object has no verdict history; keep the one the page was rendered with.
  const merged = { ...previous, ...updated };
  if (!updated.verdicts) merged.verdicts = previous.verdicts;
  state.annotations.set(updated.id, merged);
  return merged;
}
