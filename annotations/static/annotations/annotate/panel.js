// The detail panel of the selected annotation: filling it, opening and closing it, and its
// extras (comments, history, source checks) read from the API. Its forms are in forms.js.
import { apiList } from "./api.js";
import { fillClaimant } from "./claimants.js";
import { $, _, daysUntil, deskDay, dueWhen, el, errorText, format, formatDay, formatTime, ngettext, plainList, setStatus } from "./dom.js";
import { fillCheckActions, loadChecks, stopChecks } from "./polling.js";
import { DATA, LABEL, USER, state, statusName } from "./state.js";
import { verdictStatusName } from "./list.js";

export const panel = $("detail-panel");
export const field = {
  label: $("edit-label"),
  note: $("edit-note"),
  priority: $("edit-priority"),
};
export const saveStatus = $("save-status");
export const conflictBox = $("conflict-box");

// The assign form's due date starts at the annotation's own (the default of every new
// assignment), as its day at the desk.
export function resetAssignDue(a) {
  const input = $("assign-due");
  if (input) input.value = deskDay(a.due_at);
}

// Once a verdict is proposed or approved, the reviewer's part is done.
const isDone = (a, assignment) => assignment.state === "done" || a.status === "proposed" || a.status === "approved";

// One line per reviewer with the assignment's due date (a day at the desk), or "done".
function assigneeItem(a, assignment) {
  const item = el("li", { class: "assignee" }, el("span", { class: "reviewer-name" }, assignment.reviewer));
  if (isDone(a, assignment)) {
    item.append(" · ", el("span", { class: "due done" }, _("done")));
  } else if (assignment.due_day) {
    const late = daysUntil(assignment.due_day) < 0;
    item.append(
      " · ",
      el(
        "span",
        { class: "due" + (late ? " is-overdue" : "") },
        el("time", { datetime: assignment.due_day }, formatDay(assignment.due_day)),
        " (" + dueWhen(assignment.due_day) + ")",
      ),
    );
  } else {
    item.append(" · ", el("span", { class: "due muted" }, _("no due date")));
  }
  // Those who may assign move a pending assignment's due date on the review page's
  // Reviewers card (the server checks again).
  const pending = assignment.state === "pending" && !isDone(a, assignment) && ["open", "assigned"].includes(a.status);
  if (pending && USER.can_assign && DATA.review_url) {
    const href = `${DATA.review_url.replace("{id}", String(a.id))}#due-day-${encodeURIComponent(assignment.reviewer)}`;
    const label = format(_("Change due date for %(reviewer)s"), { reviewer: assignment.reviewer });
    item.append(" · ", el("a", { class: "change-due", href, "aria-label": label }, _("change due date")));
  }
  return item;
}

function fillAssignees(a) {
  const list = $("detail-assignees");
  const assignments = a.assignments || (a.assignees || []).map((reviewer) => ({ reviewer, state: "pending", due_day: null }));
  if (!assignments.length) {
    list.replaceChildren(el("li", { class: "muted" }, _("Nobody is assigned yet.")));
    return;
  }
  list.replaceChildren(...assignments.map((assignment) => assigneeItem(a, assignment)));
}

function fillForm(a) {
  field.label.value = a.label;
  field.note.value = a.note || "";
  field.priority.value = String(a.priority);
  state.formFor = a.id;
  state.dirty = false;
}

export function fillPanel() {
  const a = state.annotations.get(state.selectedId);
  if (!a || !panel) return;
  const label = LABEL[a.label] || { badge: "?", name: a.label };
  const badge = $("detail-badge");
  badge.textContent = label.badge;
  badge.className = "badge hl-" + a.label;
  $("detail-label").textContent = label.name;
  const status = $("detail-status");
  status.textContent = statusName(a.status);
  status.className = "status st-" + a.status;
  $("detail-quote").textContent = a.exact;
  const reviewLink = $("detail-review-link");
  if (reviewLink && DATA.review_url) {
    reviewLink.href = DATA.review_url.replace("{id}", String(a.id));
    reviewLink.hidden = false;
  }
  const anchor = $("detail-anchor");
  if (a.anchor_state === "orphaned") {
    anchor.hidden = false;
    anchor.textContent = _("Orphaned: this quote is no longer in the text. It is kept with its old wording.");
  } else if (a.anchor_state === "fuzzy") {
    anchor.hidden = false;
    anchor.textContent = _("Moved: the text changed here; the span was placed on the closest match. Check it.");
  } else {
    anchor.hidden = true;
  }
  if (state.formFor !== a.id || !state.dirty) fillForm(a);
  const editable = USER.can_edit && a.status !== "withdrawn";
  for (const input of Object.values(field)) input.disabled = !editable;
  $("save-annotation").hidden = !editable;
  fillClaimant(a);
  fillAssignees(a);
  fillReviewers(a);
  renderVerdicts(a);
  const withdraw = $("withdraw-button");
  if (withdraw) {
    withdraw.hidden = a.status === "withdrawn";
    $("withdraw-confirm").hidden = true;
  }
  const assignForm = $("assign-form");
  if (assignForm) assignForm.hidden = !(USER.can_assign && (a.status === "open" || a.status === "assigned"));
  fillCheckActions(a);
}

function fillReviewers(a) {
  const select = $("assign-reviewer");
  if (!select) return;
  const previous = select.value;
  const options = [el("option", { value: "" }, _("Choose a reviewer…"))];
  for (const reviewer of state.reviewers) {
    const taken = a.assignees && a.assignees.includes(reviewer.username);
    const text = format(ngettext("%(name)s — %(count)s open", "%(name)s — %(count)s open", reviewer.open), {
      name: reviewer.username,
      count: reviewer.open,
    });
    options.push(el("option", { value: reviewer.username, disabled: taken }, text));
  }
  select.replaceChildren(...options);
  if (previous && state.reviewers.some((r) => r.username === previous)) select.value = previous;
}

// A rationale as the review page shows it: the server's Markdown rendering, sanitised by
// nh3 to an allow-list of tags (page data `rationale_html`). A verdict the page was not
// rendered with (none is made here) shows its text as text.
function rationale(v) {
  const html = DATA.rationale_html && DATA.rationale_html[String(v.id)];
  if (html === undefined) return el("p", { class: "note" }, v.rationale);
  // Parsed in a document of its own, where nothing runs, then moved into the page.
  const box = el("div", { class: "rationale markdown" });
  box.append(...new DOMParser().parseFromString(html, "text/html").body.childNodes);
  return box;
}

function renderVerdicts(a) {
  const verdicts = a.verdicts || (a.current_verdict ? [a.current_verdict] : []);
  plainList("verdict-list", [...verdicts].reverse(), _("No verdict yet."), (v) => {
    const item = el(
      "li",
      { class: "verdict-item st-" + v.status },
      el("strong", {}, DATA.ratings[v.rating] || v.rating),
      " · ",
      verdictStatusName(v.status),
      v.author ? " · " + format(_("by %(name)s"), { name: v.author }) : "",
      v.created_at ? " · " + formatTime(v.created_at) : "",
    );
    if (v.rationale) item.append(rationale(v));
    if (v.decided_by) {
      const decided = format(_("Decided by %(name)s"), { name: v.decided_by });
      item.append(el("p", { class: "muted" }, decided + (v.decision_note ? ": " + v.decision_note : "")));
    }
    return item;
  });
}

function showList(id, result, empty, render) {
  if (!result.ok) {
    const list = $(id);
    if (list) list.replaceChildren(el("li", { class: "error" }, errorText(result.response)));
    return;
  }
  plainList(id, result.items, empty, render);
}

export async function loadPanelExtras(id) {
  loadChecks(id);
  const [comments, history] = await Promise.all([
    apiList(`annotations/${id}/comments/`),
    apiList(`annotations/${id}/history/`),
  ]);
  if (state.selectedId !== id) return;
  showList("comment-list", comments, _("No comments yet."), (c) =>
    el(
      "li",
      {},
      el("span", { class: "who" }, c.author || ""),
      " ",
      el("time", { class: "muted", datetime: c.created_at || "" }, formatTime(c.created_at)),
      el("p", { class: "note" }, c.body || ""),
    ),
  );
  showList("history-list", history, _("No history."), (e) =>
    el(
      "li",
      {},
      el("time", { class: "muted", datetime: e.created_at || "" }, formatTime(e.created_at)),
      " ",
      el("span", { class: "who" }, e.actor || _("system")),
      " ",
      e.summary || e.verb || "",
    ),
  );
}

let extrasTimer = 0;

export function openPanel(id) {
  if (!panel) return;
  const changed = state.formFor !== id;
  panel.hidden = false;
  if (changed) {
    state.dirty = false;
    state.conflict = null;
    conflictBox.hidden = true;
    for (const statusId of ["save-status", "assign-status", "comment-status", "withdraw-status"]) setStatus($(statusId), "");
  }
  fillPanel();
  if (changed) {
    const a = state.annotations.get(id);
    if (a) resetAssignDue(a);
    // j/k can pass through many entries quickly: load the extras of the one that stays.
    stopChecks();
    setStatus($("rerun-status"), "");
    for (const listId of ["comment-list", "check-list", "history-list"]) {
      const list = $(listId);
      if (list) list.replaceChildren(el("li", { class: "muted" }, _("Loading…")));
    }
    clearTimeout(extrasTimer);
    extrasTimer = setTimeout(() => loadPanelExtras(id), 120);
  }
}

export function closePanel() {
  clearTimeout(extrasTimer);
  stopChecks();
  if (panel) panel.hidden = true;
  state.formFor = null;
  state.dirty = false;
}
