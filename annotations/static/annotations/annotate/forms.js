// The detail panel's forms: save (If-Match, with the edit-conflict box on 412), assign a
// reviewer, comment, withdraw. Each redraws only the annotation it changed.
import { api } from "./api.js";
import { $, _, announce, deskDay, errorText, format, setStatus } from "./dom.js";
import { updateEntry } from "./list.js";
import { conflictBox, field, fillPanel, loadPanelExtras, panel, resetAssignDue, saveStatus } from "./panel.js";
import { deselect } from "./selection.js";
import { labelName, merge, state } from "./state.js";
import { markCurrent, redrawSpan } from "./textview.js";
import { renderList } from "./list.js";

function formChanges(a) {
  const changes = {};
  if (field.label.value !== a.label) changes.label = field.label.value;
  if (field.note.value !== (a.note || "")) changes.note = field.note.value;
  if (Number(field.priority.value) !== a.priority) changes.priority = Number(field.priority.value);
  return changes;
}

// Draw one changed annotation again: its stretch of text (old and new place) and its entry.
export function redrawAnnotation(before, after) {
  redrawSpan(before.start, before.end);
  if (after.start !== before.start || after.end !== before.end) redrawSpan(after.start, after.end);
  updateEntry(after);
}

async function saveAnnotation() {
  const a = state.annotations.get(state.selectedId);
  if (!a) return;
  const changes = formChanges(a);
  if (!Object.keys(changes).length) {
    setStatus(saveStatus, _("Nothing to save."));
    return;
  }
  setStatus(saveStatus, _("Saving…"));
  const response = await api("PATCH", `annotations/${a.id}/`, changes, { "If-Match": `"${a.version}"` });
  if (response.status === 412) {
    state.conflict = { version: a.version };
    $("conflict-message").textContent = _(
      "Someone else changed this annotation while you were editing. What you typed is still in the form: load their changes, check them, then save again.",
    );
    conflictBox.hidden = false;
    $("conflict-reload").hidden = false;
    setStatus(saveStatus, _("Not saved: edit conflict."), "error");
    $("conflict-reload").focus();
    return;
  }
  if (refused(response, saveStatus)) return;
  const updated = merge(response.data);
  state.dirty = false;
  state.conflict = null;
  conflictBox.hidden = true;
  setStatus(saveStatus, _("Saved."), "ok");
  announce(_("Saved."));
  redrawAnnotation(a, updated);
  markCurrent();
  fillPanel();
}

async function reloadAfterConflict() {
  const a = state.annotations.get(state.selectedId);
  if (!a) return;
  const response = await api("GET", `annotations/${a.id}/`);
  if (!response.ok) {
    $("conflict-message").textContent = errorText(response);
    return;
  }
  const theirs = merge(response.data);
  // Keep the form as typed (dirty stays true); show what the other person saved.
  const summary = [
    format(_("Label: %(label)s"), { label: labelName(theirs.label) }),
    format(_("Note: “%(note)s”"), { note: theirs.note || "" }),
  ].join(" · ");
  $("conflict-message").textContent =
    format(_("Loaded their version %(version)s."), { version: theirs.version }) +
    " " +
    summary +
    " " +
    _("Your edits are still in the form; Save applies them on top.");
  $("conflict-reload").hidden = true;
  state.conflict = null;
  redrawAnnotation(a, theirs);
  markCurrent();
  fillPanel();
  setStatus(saveStatus, "");
  field.note.focus();
}

// A failed response: the server's words on the form's status line. True when it failed.
function refused(response, status) {
  if (response.ok) return false;
  setStatus(status, errorText(response), "error");
  return true;
}

// One of the panel's small forms (assign, comment): on submit, `send(a, status)` posts it
// for the selected annotation and reports on the form's own status line.
function wirePanelForm(name, send) {
  const form = $(`${name}-form`);
  if (!form) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const a = state.annotations.get(state.selectedId);
    if (a) send(a, $(`${name}-status`));
  });
}

async function assign(a, status) {
  const reviewer = $("assign-reviewer").value;
  if (!reviewer) {
    setStatus(status, _("Choose a reviewer first."), "error");
    return;
  }
  const body = { reviewer };
  // The day as picked (YYYY-MM-DD): the server makes it the end of that day at the desk,
  // whatever this browser's time zone.
  const day = $("assign-due").value;
  if (day) body.due_at = day;
  setStatus(status, _("Assigning…"));
  const response = await api("POST", `annotations/${a.id}/assign/`, body);
  if (refused(response, status)) return;
  // The answer is the annotation object; the new assignment joins the page's list of them
  // with the day the server stored (the annotation's own when none was picked).
  const assignments = [...(a.assignments || [])];
  assignments.push({ reviewer, due_day: day || deskDay(a.due_at) || null, state: "pending" });
  const updated = merge({ ...response.data, assignments });
  const entry = state.reviewers.find((r) => r.username === reviewer);
  if (entry) entry.open += 1;
  $("assign-reviewer").value = "";
  resetAssignDue(updated);
  setStatus(status, format(_("Assigned to %(name)s."), { name: reviewer }), "ok");
  announce(format(_("Assigned to %(name)s."), { name: reviewer }));
  redrawAnnotation(a, updated);
  markCurrent();
  fillPanel();
  loadPanelExtras(a.id);
}

async function comment(a, status) {
  const body = $("comment-body").value;
  if (!body.trim()) {
    setStatus(status, _("Write a comment first."), "error");
    return;
  }
  const response = await api("POST", `annotations/${a.id}/comments/`, { body });
  if (refused(response, status)) return;
  $("comment-body").value = "";
  setStatus(status, _("Comment added."), "ok");
  loadPanelExtras(a.id);
}

async function withdraw() {
  const a = state.annotations.get(state.selectedId);
  const status = $("withdraw-status");
  if (!a) return;
  const response = await api("DELETE", `annotations/${a.id}/`, undefined, { "If-Match": `"${a.version}"` });
  if (!response.ok) {
    setStatus(status, response.status === 412 ? _("Someone else changed it first; reload the page.") : errorText(response), "error");
    return;
  }
  let updated;
  if (response.data && response.data.id) updated = merge(response.data);
  else {
    const fresh = await api("GET", `annotations/${a.id}/`);
    updated = merge(fresh.ok ? fresh.data : { id: a.id, status: "withdrawn" });
  }
  announce(_("Withdrawn."));
  setStatus(status, _("Withdrawn."), "ok");
  redrawAnnotation(a, updated);
  fillPanel();
}

export function wireForms() {
  for (const id of ["filter-label", "filter-status"]) {
    const filter = $(id);
    if (filter) filter.addEventListener("change", renderList);
  }
  if (panel) {
    const form = $("annotation-form");
    $("detail-close").addEventListener("click", deselect);
    form.addEventListener("input", () => {
      if (state.formFor === state.selectedId) state.dirty = true;
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      saveAnnotation();
    });
    $("conflict-reload").addEventListener("click", reloadAfterConflict);
  }
  wirePanelForm("assign", assign);
  wirePanelForm("comment", comment);
  const withdrawButton = $("withdraw-button");
  if (withdrawButton) {
    withdrawButton.addEventListener("click", () => {
      $("withdraw-confirm").hidden = false;
      $("withdraw-confirm").focus();
    });
    $("withdraw-confirm").addEventListener("click", withdraw);
  }
}


