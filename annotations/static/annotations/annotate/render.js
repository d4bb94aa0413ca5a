// Segments → marks: cut the text at every boundary of the drawn spans and wrap each covered
// piece in one <mark>. It must make exactly the DOM of the server's renderer
// (annotations/templatetags/highlight.py): the same class names in the same order, data-ids
// in text order, data-badge and title; tests/browser/test_ui_render_parity.py holds the two to it.
// Reads no page data: the caller passes the labels, statuses and the selection (`ctx`).
import { _, el, format } from "./dom.js";
import { Offsets } from "./offsets.js";

// Beyond three stacked underlines, more lines stop being readable.
export const MAX_DEPTH = 4;

const textOrder = (a, b) => a.start - b.start || a.end - b.end || a.id - b.id;
const drawn = (a) => a.status !== "withdrawn" && a.anchor_state !== "orphaned";

// The spans to draw, {kind: "a" | "s", item, s, e} with UTF-16 offsets: the drawn
// annotations in text order, then the pending suggestions (when shown). `within` limits
// them to those overlapping a UTF-16 range [from, to).
export function drawnSpans(annotations, suggestions, offsets, within = null) {
  const found = { a: [], s: [] };
  const add = (kind, item) => {
    const s = offsets.toUtf16(item.start);
    const e = offsets.toUtf16(item.end);
    if (within && (s >= within[1] || e <= within[0])) return;
    found[kind].push({ kind, item, s, e });
  };
  for (const a of annotations) if (drawn(a)) add("a", a);
  for (const sug of suggestions) if (sug.status === "pending") add("s", sug);
  // Sorted after the filter: a redraw of a few pieces sorts a few spans, not thousands.
  return [...found.a.sort((x, y) => textOrder(x.item, y.item)), ...found.s];
}

const labelName = (ctx, slug) => (ctx.labels[slug] ? ctx.labels[slug].name : slug);

// The pieces of text[from, to) as a fragment of text nodes and marks. `spans` must hold
// every span that overlaps [from, to) (more do no harm); `from` and `to` must be piece
// boundaries of the whole text, so that the result can replace the nodes there.
export function renderPieces(text, spans, ctx, from = 0, to = text.length) {
  const kept = spans.filter((span) => span.s >= 0 && span.s < span.e && span.e <= text.length);
  const opening = new Map();
  const closing = new Map();
  const cuts = new Set([from, to]);
  kept.forEach((span, index) => {
    if (span.e <= from || span.s >= to) return;
    const s = Math.max(span.s, from);
    const e = Math.min(span.e, to);
    if (!opening.has(s)) opening.set(s, []);
    if (!closing.has(e)) closing.set(e, []);
    opening.get(s).push(index);
    closing.get(e).push(index);
    cuts.add(s);
    cuts.add(e);
  });
  const points = [...cuts].sort((x, y) => x - y);
  const active = new Set();
  const fragment = document.createDocumentFragment();
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i];
    const end = points[i + 1];
    for (const index of closing.get(start) || []) active.delete(index);
    for (const index of opening.get(start) || []) active.add(index);
    const piece = text.slice(start, end);
    if (!active.size) fragment.append(document.createTextNode(piece));
    else fragment.append(mark(piece, start, [...active].sort((x, y) => x - y).map((index) => kept[index]), ctx));
  }
  return fragment;
}

function mark(piece, start, covering, ctx) {
  const annotations = covering.filter((span) => span.kind === "a");
  const suggestions = covering.filter((span) => span.kind === "s");
  const node = el("mark", {}, piece);
  const classes = [];
  if (annotations.length) {
    // The innermost (shortest) span gives the background; the others stack as underlines
    // in their own label colours, the next shortest closest to the text.
    const stacked = [...annotations].sort(
      (x, y) => x.item.end - x.item.start - (y.item.end - y.item.start) || x.item.id - y.item.id,
    );
    const inner = stacked[0].item;
    classes.push("hl", "hl-" + inner.label, "depth-" + Math.min(stacked.length, MAX_DEPTH));
    stacked.slice(1, MAX_DEPTH).forEach((span, n) => classes.push(`u${n + 1}-${span.item.label}`));
    if (inner.anchor_state === "fuzzy") classes.push("fuzzy");
    node.dataset.ids = annotations.map((span) => span.item.id).join(" ");
    node.dataset.badge = annotations
      .filter((span) => span.s === start)
      .map((span) => (ctx.labels[span.item.label] || {}).badge || "?")
      .join("");
    node.title = annotations
      .map((span) => `${labelName(ctx, span.item.label)} (${ctx.statuses[span.item.status] || span.item.status})`)
      .join(" · ");
    if (ctx.selectedId !== null && ctx.selectedId !== undefined && annotations.some((span) => span.item.id === ctx.selectedId)) {
      classes.push("current");
    }
    // Drawn before the server has answered (tagging.js): confirmed or rolled back soon.
    if (annotations.some((span) => span.item.pending)) classes.push("pending");
  }
  if (suggestions.length) {
    classes.push("sg", "sg-" + suggestions[0].item.label);
    node.dataset.sids = suggestions.map((span) => span.item.id).join(" ");
    // The piece where a suggestion starts is its one focusable handle, with its label's
    // letters (the badge) and its label and reason in words.
    const starting = suggestions.filter((span) => span.s === start);
    if (starting.length) {
      const sug = starting[0].item;
      node.tabIndex = 0;
      node.dataset.sid = String(sug.id);
      node.dataset.sbadge = (ctx.labels[sug.label] || {}).badge || "?";
      node.setAttribute("role", "button");
      const why = sug.cue ? " " + format(_("Why: %(reason)s"), { reason: sug.cue }) : "";
      node.setAttribute(
        "aria-label",
        format(_("Suggested %(label)s: “%(quote)s”. Enter accepts, Backspace dismisses."), {
          label: labelName(ctx, sug.label),
          quote: sug.exact,
        }) + why,
      );
    }
    const hint = suggestions
      .map((span) => format(_("Suggestion: %(label)s (%(cue)s)"), { label: labelName(ctx, span.item.label), cue: span.item.cue || "" }))
      .join(" · ");
    node.title = node.title ? node.title + " · " + hint : hint;
  }
  node.className = classes.join(" ");
  return node;
}

// The whole text with its highlights, from annotations with code point offsets: what the
// server renders (the parity test calls this).
export function renderHighlights(text, annotations, ctx) {
  const offsets = new Offsets(text);
  return renderPieces(text, drawnSpans(annotations, [], offsets), { selectedId: null, ...ctx });
}
