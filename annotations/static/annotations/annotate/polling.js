// Source checks in the detail panel, read live: while a shown check is pending or running,
// the list is read again every CHECK_POLL_MS. Polling stops once every check has settled,
// when the panel shows another annotation or closes, and after CHECK_GIVE_UP_MS: checks
// have time limits, and a tab left open must not poll for ever. Only the check list is
// redrawn, and only when a check changed.
import { api, apiList } from "./api.js";
import { $, _, announce, el, errorText, format, formatTime, ngettext, plainList, setStatus } from "./dom.js";
import { USER, state } from "./state.js";

const CHECK_POLL_MS = 2000;
const CHECK_GIVE_UP_MS = 10 * 60 * 1000;
const UNSETTLED = new Set(["pending", "running"]);
const checks = { id: null, timer: 0, since: 0, request: 0, shown: null };

export function stopChecks() {
  clearTimeout(checks.timer);
  checks.timer = 0;
  checks.id = null;
  checks.request += 1; // an answer still on its way is dropped
  const list = $("check-list");
  if (list) list.removeAttribute("aria-busy");
}

export async function loadChecks(id) {
  clearTimeout(checks.timer);
  checks.timer = 0;
  if (checks.id !== id) {
    checks.id = id;
    checks.since = Date.now();
    checks.shown = null;
  }
  const request = ++checks.request;
  const result = await apiList(`annotations/${id}/source-checks/`);
  // A newer read (a re-run, another annotation, a closed panel) has taken over.
  if (request !== checks.request || checks.id !== id || state.selectedId !== id) return;
  const list = $("check-list");
  if (!list) return;
  let unsettled;
  if (result.ok) {
    const shown = JSON.stringify(result.items);
    unsettled = result.items.some((c) => UNSETTLED.has(c.status));
    if (shown !== checks.shown) {
      if (checks.shown !== null && !unsettled) announce(_("The source checks are finished."));
      checks.shown = shown;
      showCheckList(result.items);
    }
  } else {
    checks.shown = null;
    list.replaceChildren(el("li", { class: "error" }, errorText(result.response)));
    // Worth another try only when the server or the network is the trouble.
    unsettled = result.response.status === 0 || result.response.status >= 500;
  }
  list.setAttribute("aria-busy", unsettled ? "true" : "false");
  if (unsettled && Date.now() - checks.since < CHECK_GIVE_UP_MS) {
    checks.timer = setTimeout(() => loadChecks(id), CHECK_POLL_MS);
  }
}

// One entry per evidence item or URL (or the attribution): its newest check. Every text
// edit and re-run checks them again, and the API lists every check newest first; the older
// ones stay reachable under "earlier checks".
function showCheckList(items) {
  const current = new Map();
  const earlier = [];
  for (const check of items) {
    const target = check.evidence ? `e${check.evidence}` : `u${check.url || ""}`;
    if (current.has(target)) earlier.push(check);
    else current.set(target, check);
  }
  plainList("check-list", [...current.values()], _("No source checks."), renderCheck);
  if (!earlier.length) return;
  const summary = format(ngettext("%(count)s earlier check", "%(count)s earlier checks", earlier.length), {
    count: earlier.length,
  });
  $("check-list").append(
    el(
      "li",
      { class: "check-history" },
      el("details", {}, el("summary", {}, summary), el("ol", { class: "plain-list check-list" }, ...earlier.map(renderCheck))),
    ),
  );
}

// The API decides (editors, chiefs, the assigned reviewer); this only hides a button that
// would be refused.
const canRequestChecks = (a) => USER.can_edit || USER.can_assign || (a.assignees || []).includes(USER.username);

const rerunButton = $("rerun-checks");

export function fillCheckActions(a) {
  if (rerunButton) rerunButton.hidden = !canRequestChecks(a);
}

async function rerunChecks() {
  const a = state.annotations.get(state.selectedId);
  const status = $("rerun-status");
  if (!a) return;
  rerunButton.disabled = true;
  setStatus(status, _("Requesting…"));
  const response = await api("POST", `annotations/${a.id}/source-checks/`, {});
  rerunButton.disabled = false;
  if (state.selectedId !== a.id) return;
  if (!response.ok) {
    setStatus(status, errorText(response), "error");
    return;
  }
  const count = (response.data && response.data.checks ? response.data.checks : []).length;
  if (!count) {
    setStatus(status, _("Nothing to check: add evidence on the review page first."), "error");
    return;
  }
  const message = format(ngettext("%(count)s check requested.", "%(count)s checks requested.", count), { count });
  setStatus(status, message, "ok");
  announce(message);
  loadChecks(a.id);
}

if (rerunButton) rerunButton.addEventListener("click", rerunChecks);

// Names for a flag the server sent without one (`name` comes worded in the page's
// language, like `explanation` and `error`: machine_text.py).
const FLAG_NAMES = {
  vague: _("Vague source"),
  anonymous: _("Anonymous source"),
  unreachable: _("Unreachable"),
  changed: _("Changed"),
  key_phrase: _("Key phrase"),
  truncated: _("Cut at the size limit"),
};

function checkUrl(url) {
  // Only web addresses become links: a check's URL is user input.
  if (!/^https?:\/\//i.test(url)) return el("span", { class: "url" }, url);
  return el("a", { class: "url", href: url, rel: "noopener noreferrer nofollow", target: "_blank" }, url);
}

function checkStatusName(status) {
  const names = { pending: _("pending"), running: _("running"), done: _("done"), failed: _("failed"), blocked: _("blocked") };
  return names[status] || status;
}

function renderCheck(check) {
  const unsettled = UNSETTLED.has(check.status);
  const item = el(
    "li",
    { class: "check st-" + check.status, "data-check-id": check.id, "data-check-status": check.status },
    el(
      "span",
      { class: "status st-" + check.status },
      unsettled ? el("span", { class: "spinner", "aria-hidden": "true" }) : null,
      checkStatusName(check.status),
    ),
    " ",
    check.url ? checkUrl(check.url) : el("span", { class: "muted" }, _("attribution")),
  );
  const facts = [];
  // A failure's message may already be the status ("HTTP 404"): say it once.
  if (check.http_status && check.error_code !== "http_status") facts.push("HTTP " + check.http_status);
  if (check.content_type) facts.push(check.content_type);
  if (check.title) facts.push(format(_("“%(title)s”"), { title: check.title }));
  if (facts.length) item.append(el("p", { class: "muted check-facts" }, facts.join(" · ")));
  if (check.quote_found === true || check.quote_found === false) {
    const found = check.quote_found;
    item.append(
      el(
        "p",
        { class: found ? "quote-found" : "quote-missing" },
        format(found ? _("quote found (%(score)s)") : _("quote not found (%(score)s)"), { score: check.quote_score }),
      ),
    );
  }
  if (check.final_url && check.final_url !== check.url) {
    item.append(el("p", { class: "muted small" }, _("ended at") + " ", checkUrl(check.final_url)));
  }
  for (const flag of check.flags || []) {
    const code = typeof flag === "string" ? flag : flag.code;
    const name = flag.name || FLAG_NAMES[code] || _("Flag");
    const line = el("p", { class: "flag flag-" + code }, "⚑ ", el("strong", {}, name));
    if (flag.explanation) line.append(": " + flag.explanation);
    item.append(line);
  }
  if (check.error) item.append(el("p", { class: "error" }, check.error));
  if (check.excerpt) {
    item.append(el("p", { class: "muted small" }, _("Best matching passage:")), el("blockquote", { class: "excerpt" }, check.excerpt));
  }
  const when = [];
  if (check.finished_at) when.push(format(_("checked %(time)s"), { time: formatTime(check.finished_at) }));
  else if (check.started_at && unsettled) when.push(format(_("started %(time)s"), { time: formatTime(check.started_at) }));
  else if (check.requested_at) when.push(format(_("requested %(time)s"), { time: formatTime(check.requested_at) }));
  if (check.attempts > 1) {
    when.push(format(ngettext("%(count)s attempt", "%(count)s attempts", check.attempts), { count: check.attempts }));
  }
  if (when.length) item.append(el("p", { class: "muted small" }, when.join(" · ")));
  return item;
}
