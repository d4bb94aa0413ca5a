// Machine suggestions over the text: shown or hidden with the toggle, accepted (Enter) or
// dismissed (Backspace/Delete) on a focused suggestion. Showing them redraws the text whole.
import { api, apiList } from "./api.js";
import { $, _, announce, errorText, format, ngettext, showTextNotice } from "./dom.js";
import { renderList } from "./list.js";
import { ARTICLE, USER, byTextOrder, merge, state, textEl } from "./state.js";
import { renderText } from "./textview.js";

const toggle = $("suggestions-toggle");

async function loadSuggestions() {
  const result = await apiList(`articles/${ARTICLE.id}/suggestions/?page_size=500`);
  if (!result.ok) {
    announce(errorText(result.response));
    return false;
  }
  state.suggestions = result.items;
  updateSuggestionCount();
  return true;
}

function updateSuggestionCount() {
  const count = $("suggestion-count");
  if (count) count.textContent = String(state.suggestions.filter((s) => s.status === "pending").length);
}

async function toggleSuggestions() {
  const on = !state.showSuggestions;
  if (on && !(await loadSuggestions())) return;
  state.showSuggestions = on;
  toggle.setAttribute("aria-pressed", on ? "true" : "false");
  textEl.classList.toggle("with-suggestions", on);
  renderText();
  if (on) {
    const first = textEl.querySelector("mark[data-sid]");
    if (first) first.focus();
    const shown = state.suggestions.filter((s) => s.status === "pending").length;
    announce(format(ngettext("%(count)s suggestion shown.", "%(count)s suggestions shown.", shown), { count: shown }));
  }
}

async function decideSuggestion(sid, accept) {
  if (!USER.can_review_suggestions) return;
  const suggestion = state.suggestions.find((s) => s.id === sid);
  if (!suggestion) return;
  const response = await api("POST", `articles/${ARTICLE.id}/suggestions/${sid}/${accept ? "accept" : "dismiss"}/`, {});
  if (!response.ok) {
    announce(errorText(response));
    showTextNotice(errorText(response), "error");
    return;
  }
  suggestion.status = accept ? "accepted" : "dismissed";
  if (accept) {
    let created = response.data && response.data.version !== undefined ? response.data : null;
    const annotationId = !created && response.data ? response.data.annotation : null;
    if (annotationId) {
      const fresh = await api("GET", `annotations/${annotationId}/`);
      if (fresh.ok) created = fresh.data;
    }
    if (created) merge({ ...created, verdicts: [] });
  }
  updateSuggestionCount();
  const ordered = state.suggestions.filter((s) => s.status === "pending").sort(byTextOrder);
  const next = ordered.find((s) => s.start >= suggestion.start);
  renderText();
  renderList();
  announce(accept ? _("Suggestion accepted.") : _("Suggestion dismissed."));
  const target = next && textEl.querySelector(`mark[data-sid="${next.id}"]`);
  if (target) target.focus();
}

export function wireSuggestions() {
  if (toggle) toggle.addEventListener("click", toggleSuggestions);
  textEl.addEventListener("keydown", (event) => {
    const mark = event.target.closest && event.target.closest("mark[data-sid]");
    if (!mark) return;
    if (event.key === "Enter") {
      event.preventDefault();
      decideSuggestion(Number(mark.dataset.sid), true);
    } else if (event.key === "Backspace" || event.key === "Delete") {
      event.preventDefault();
      decideSuggestion(Number(mark.dataset.sid), false);
    }
  });
}
