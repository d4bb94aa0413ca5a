// Machine suggestions over the text: shown or hidden with the toggle, accepted (Enter) or
// dismissed (Backspace/Delete) on a focused suggestion. Showing them redraws the text whole.
import { api, apiList } from "./api.js";
import { offers } from "./claimants.js";
import { $, _, announce, el, errorText, format, ngettext, showTextNotice } from "./dom.js";
import { renderList } from "./list.js";
import { ARTICLE, DATA, LABEL, USER, byTextOrder, merge, state, textEl } from "./state.js";
import { renderText } from "./textview.js";

const toggle = $("suggestions-toggle");
const card = $("suggestion-card");

// Until the worker has analysed the text (page data `analysis_pending`), the page reads the
// analysis' state (`GET …/analysis/`), first after WATCH_FIRST_MS and then less and less
// often, up to WATCH_MAX_MS apart, and says in #analysis-status (a live region) whether it
// is waiting, running, done with some suggestions, done with none, or failed: the server
// words each in the reader's language. Reading stops once it is done or failed, and after
// WATCH_GIVE_UP_MS: a tab left open must not poll for ever.
const WATCH_FIRST_MS = 800;
const WATCH_MAX_MS = 8000;
const WATCH_GIVE_UP_MS = 10 * 60 * 1000;
// `not_requested` is not settled: an analysis may be asked for while the page is open.
const SETTLED = new Set(["done", "failed"]);
const watch = { timer: 0, since: 0, delay: WATCH_FIRST_MS, done: true };
const analysisStatus = $("analysis-status");

export function watchAnalysis() {
  if (!DATA.analysis_pending) return;
  watch.done = false;
  watch.since = Date.now();
  watch.delay = WATCH_FIRST_MS;
  watch.timer = setTimeout(readAnalysis, watch.delay);
}

function stopWatching() {
  watch.done = true;
  clearTimeout(watch.timer);
  watch.timer = 0;
}

function showAnalysis(analysis) {
  if (!analysisStatus) return;
  analysisStatus.dataset.state = analysis.state;
  // Only a change is written: the live region reads out every new text.
  if (analysisStatus.textContent !== analysis.message) analysisStatus.textContent = analysis.message;
}

async function readAnalysis() {
  if (watch.done) return;
  const response = await api("GET", `articles/${ARTICLE.id}/analysis/`);
  if (watch.done) return;
  if (response.ok && response.data.revision === ARTICLE.revision) {
    const analysis = response.data;
    if (SETTLED.has(analysis.state)) {
      stopWatching();
      // Read the suggestions first, so that the count is right when the status speaks.
      if (analysis.state === "done" && analysis.suggestions) await loadSuggestions({ quiet: true });
      if (state.showSuggestions) renderText();
      showAnalysis(analysis);
      return;
    }
    showAnalysis(analysis);
  }
  // A refusal (4xx) will not change by asking again; the server or the network might. An
  // answer about another revision (the text was saved in another tab) ends it too.
  const retry = response.ok ? response.data.revision === ARTICLE.revision : response.status === 0 || response.status >= 500;
  watch.delay = Math.min(watch.delay * 1.6, WATCH_MAX_MS);
  if (!retry || Date.now() - watch.since + watch.delay > WATCH_GIVE_UP_MS) {
    stopWatching();
    return;
  }
  watch.timer = setTimeout(readAnalysis, watch.delay);
}

const pendingSuggestions = () => state.suggestions.filter((s) => s.status === "pending");

async function loadSuggestions({ quiet = false } = {}) {
  const result = await apiList(`articles/${ARTICLE.id}/suggestions/?page_size=500`);
  if (!result.ok) {
    if (!quiet) announce(errorText(result.response));
    return false;
  }
  state.suggestions = result.items;
  updateSuggestionCount();
  return true;
}

function updateSuggestionCount() {
  const count = $("suggestion-count");
  if (count) count.textContent = String(pendingSuggestions().length);
}

// The focused suggestion's card: its label as a badge and in words, why it was suggested
// (the reason and any flags, as the server words them in the reader's language), and
// Accept / Dismiss for those who may decide.
function showCard(mark) {
  if (!card) return;
  const suggestion = state.suggestions.find((s) => s.id === Number(mark.dataset.sid));
  if (!suggestion) {
    hideCard();
    return;
  }
  const label = LABEL[suggestion.label] || { badge: "?", name: suggestion.label };
  const children = [
    el(
      "p",
      { class: "sg-head" },
      el("span", { class: "badge", "aria-hidden": "true" }, label.badge),
      " ",
      format(_("Suggested: %(label)s"), { label: label.name }),
    ),
  ];
  if (suggestion.cue) children.push(el("p", { class: "sg-reason" }, format(_("Why: %(reason)s"), { reason: suggestion.cue })));
  if (suggestion.claimant) {
    const text = suggestion.claimant.id
      ? format(_("Claimant: %(name)s"), { name: suggestion.claimant.name })
      : format(_("Claimant: %(name)s (not known yet)"), { name: suggestion.claimant.name });
    children.push(el("p", { class: "sg-reason sg-claimant" }, text));
  }
  for (const flag of suggestion.flags || []) {
    const text = typeof flag === "string" ? flag : flag.explanation || "";
    if (text) children.push(el("p", { class: "sg-reason sg-flag" }, "⚑ " + text));
  }
  if (USER.can_review_suggestions) {
    const accept = el("button", { type: "button", class: "primary sg-accept" }, _("Accept"));
    const dismiss = el("button", { type: "button", class: "sg-dismiss" }, _("Dismiss"));
    accept.addEventListener("click", () => decideSuggestion(suggestion.id, true));
    dismiss.addEventListener("click", () => decideSuggestion(suggestion.id, false));
    children.push(el("div", { class: "buttons" }, accept, dismiss));
  }
  card.replaceChildren(...children);
  card.className = "suggestion-card sg-" + suggestion.label;
  card.dataset.sid = String(suggestion.id);
  card.hidden = false;
  // Below the suggestion's last line, inside the article box (its positioned parent).
  const box = card.offsetParent ? card.offsetParent.getBoundingClientRect() : { left: 0, top: 0, width: 0 };
  const rects = mark.getClientRects();
  const rect = rects.length ? rects[rects.length - 1] : mark.getBoundingClientRect();
  const left = Math.max(4, Math.min(rect.left - box.left, box.width - card.offsetWidth - 4));
  card.style.left = `${left}px`;
  card.style.top = `${rect.bottom - box.top + 6}px`;
}

function hideCard() {
  if (!card) return;
  card.hidden = true;
  delete card.dataset.sid;
}

async function toggleSuggestions() {
  const on = !state.showSuggestions;
  if (on && !(await loadSuggestions())) return;
  state.showSuggestions = on;
  if (!on) hideCard();
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
    // A speaker the desk does not know yet: the claim's panel offers to create them.
    if (created && suggestion.claimant && !created.claimant) offers.set(created.id, suggestion.claimant.name);
  }
  updateSuggestionCount();
  const ordered = state.suggestions.filter((s) => s.status === "pending").sort(byTextOrder);
  const next = ordered.find((s) => s.start >= suggestion.start);
  renderText();
  renderList();
  const offered = accept && suggestion.claimant && !suggestion.claimant.id;
  announce(
    accept
      ? offered
        ? format(_("Suggestion accepted. %(name)s is not a claimant yet: open the claim to create them."), { name: suggestion.claimant.name })
        : _("Suggestion accepted.")
      : _("Suggestion dismissed."),
  );
  const target = next && textEl.querySelector(`mark[data-sid="${next.id}"]`);
  if (target) target.focus();
  else {
    hideCard();
    textEl.focus();
  }
}

export function wireSuggestions() {
  if (toggle) toggle.addEventListener("click", toggleSuggestions);
  textEl.addEventListener("focusin", (event) => {
    const mark = event.target.closest && event.target.closest("mark[data-sid]");
    if (mark) showCard(mark);
  });
  // The card stays while the focus is on a suggestion or in the card itself.
  document.addEventListener("focusin", (event) => {
    if (!card || card.hidden) return;
    const target = event.target;
    if (card.contains(target) || (target.closest && target.closest("mark[data-sid]"))) return;
    hideCard();
  });
  if (card) {
    card.addEventListener("keydown", (event) => {
      if (event.key !== "Escape") return;
      const mark = textEl.querySelector(`mark[data-sid="${card.dataset.sid}"]`);
      hideCard();
      if (mark) mark.focus();
    });
  }
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
