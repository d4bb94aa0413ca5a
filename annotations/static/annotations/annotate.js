// The annotate page: select text and tag it, browse and edit annotations, review machine
// suggestions and edit the article text. Talks to the REST API with the session cookie and
// the CSRF header. All user text goes into the DOM as text nodes or attribute values (never
// innerHTML), and the page carries no inline script (CSP): its data comes from the
// json_script tag "page-data".
//
// Offsets: the API stores half-open [start, end) offsets in Unicode code points. The DOM
// counts UTF-16 code units, which differ once the text holds characters outside the Basic
// Multilingual Plane (emoji, 𝔘). `Offsets` converts both ways; the text container uses
// white-space: pre-wrap and holds nothing but the text, so its textContent is the stored text.
(() => {
  "use strict";

  const dataNode = document.getElementById("page-data");
  const textEl = document.getElementById("article-text");
  if (!dataNode || !textEl) return;

  const DATA = JSON.parse(dataNode.textContent);
  const _ = window.gettext || ((s) => s);
  const format = (fmt, values) =>
    window.interpolate ? window.interpolate(fmt, values, true) : fmt.replace(/%\((\w+)\)s/g, (m, k) => values[k]);
  const ngettext = window.ngettext || ((one, many, n) => (n === 1 ? one : many));

  const ARTICLE = DATA.article;
  const USER = DATA.user;
  const LABELS = DATA.labels;
  const LABEL = Object.fromEntries(LABELS.map((l) => [l.slug, l]));
  const API = DATA.api_root;
  const MAX_DEPTH = 4;

  const $ = (id) => document.getElementById(id);
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  };

  // --- offsets ------------------------------------------------------------------------------

  class Offsets {
    constructor(text) {
      this.text = text;
      // UTF-16 index of every astral character (two code units each), ascending.
      this.astral16 = [];
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
          const d = text.charCodeAt(i + 1);
          if (d >= 0xdc00 && d <= 0xdfff) {
            this.astral16.push(i);
            i++;
          }
        }
      }
    }
    // Number of astral characters whose first unit is before `u16`.
    pairsBefore16(u16) {
      let lo = 0;
      let hi = this.astral16.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.astral16[mid] < u16) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    }
    toCodePoint(u16) {
      return u16 - this.pairsBefore16(u16);
    }
    toUtf16(cp) {
      // astral16[k] - k is the code point index of the k-th astral character.
      let lo = 0;
      let hi = this.astral16.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (this.astral16[mid] - mid < cp) lo = mid + 1;
        else hi = mid;
      }
      return cp + lo;
    }
  }

  // --- state --------------------------------------------------------------------------------

  const state = {
    text: textEl.textContent,
    offsets: null,
    annotations: new Map(DATA.annotations.map((a) => [a.id, a])),
    selectedId: null,
    formFor: null, // id whose values the panel form holds
    dirty: false, // the user typed in the panel form since it was filled
    conflict: null, // {theirs} after a 412
    reviewers: DATA.reviewers,
    suggestions: [],
    showSuggestions: false,
    editingText: false,
  };
  state.offsets = new Offsets(state.text);

  const byTextOrder = (a, b) => a.start - b.start || a.end - b.end || a.id - b.id;
  const sortedAnnotations = () => [...state.annotations.values()].sort(byTextOrder);
  const isDrawn = (a) => a.status !== "withdrawn" && a.anchor_state !== "orphaned";
  const labelName = (slug) => (LABEL[slug] ? LABEL[slug].name : slug);
  const statusName = (status) => DATA.statuses[status] || status;

  // --- messages -----------------------------------------------------------------------------

  const liveStatus = $("live-status");
  function announce(message) {
    if (!liveStatus) return;
    liveStatus.textContent = "";
    // A fresh text node makes screen readers repeat an identical message.
    window.requestAnimationFrame(() => (liveStatus.textContent = message));
  }

  function setStatus(node, message, kind = "") {
    if (!node) return;
    node.textContent = message;
    node.className = "form-status" + (kind ? " " + kind : "");
  }

  function errorText(response) {
    const body = response.data;
    if (response.status === 0) return _("The server could not be reached. Check your connection and try again.");
    if (body && typeof body === "object") {
      if (typeof body.detail === "string") return body.detail;
      for (const [field, value] of Object.entries(body)) {
        const text = Array.isArray(value) ? value.join(" ") : String(value);
        return field === "non_field_errors" ? text : `${field}: ${text}`;
      }
    }
    return format(_("The server answered %(status)s."), { status: response.status });
  }

  // --- API ----------------------------------------------------------------------------------

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function api(method, path, body, headers = {}) {
    const options = {
      method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": csrfToken(), ...headers },
    };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(path.startsWith("/") ? path : API + path, options);
    } catch (error) {
      return { ok: false, status: 0, data: null };
    }
    let data = null;
    if (response.status !== 204) {
      try {
        data = await response.json();
      } catch (error) {
        data = null;
      }
    }
    return { ok: response.ok, status: response.status, data, etag: response.headers.get("ETag") };
  }

  // Every page of a paginated list (or a plain list).
  async function apiList(path) {
    const items = [];
    let next = path;
    while (next) {
      const response = await api("GET", next);
      if (!response.ok) return { ok: false, response, items };
      const body = response.data;
      if (Array.isArray(body)) return { ok: true, items: body };
      items.push(...(body.results || []));
      next = body.next ? new URL(body.next, window.location.href).pathname + new URL(body.next, window.location.href).search : null;
    }
    return { ok: true, items };
  }

  // --- drawing the text ---------------------------------------------------------------------

  // Cut the text at every boundary of the drawn annotations (and shown suggestions) and wrap
  // each covered piece in one <mark>. Mirrors templatetags/highlight.py.
  function renderText() {
    const spans = sortedAnnotations()
      .filter(isDrawn)
      .map((a) => ({ kind: "a", item: a, s: state.offsets.toUtf16(a.start), e: state.offsets.toUtf16(a.end) }));
    if (state.showSuggestions) {
      for (const sug of state.suggestions) {
        if (sug.status !== "pending") continue;
        spans.push({ kind: "s", item: sug, s: state.offsets.toUtf16(sug.start), e: state.offsets.toUtf16(sug.end) });
      }
    }
    const length = state.text.length;
    const kept = spans.filter((span) => span.s >= 0 && span.s < span.e && span.e <= length);
    const opening = new Map();
    const closing = new Map();
    const cuts = new Set([0, length]);
    kept.forEach((span, index) => {
      if (!opening.has(span.s)) opening.set(span.s, []);
      if (!closing.has(span.e)) closing.set(span.e, []);
      opening.get(span.s).push(index);
      closing.get(span.e).push(index);
      cuts.add(span.s);
      cuts.add(span.e);
    });
    const points = [...cuts].sort((x, y) => x - y);
    const active = new Set();
    const fragment = document.createDocumentFragment();
    const firstSuggestionPiece = new Set();
    for (let i = 0; i + 1 < points.length; i++) {
      const start = points[i];
      const end = points[i + 1];
      for (const index of closing.get(start) || []) active.delete(index);
      for (const index of opening.get(start) || []) active.add(index);
      const piece = state.text.slice(start, end);
      if (!active.size) {
        fragment.append(document.createTextNode(piece));
        continue;
      }
      const covering = [...active].sort((x, y) => x - y).map((index) => kept[index]);
      const annotations = covering.filter((span) => span.kind === "a");
      const suggestions = covering.filter((span) => span.kind === "s");
      const mark = el("mark", {}, piece);
      const classes = [];
      if (annotations.length) {
        const stacked = [...annotations].sort(
          (x, y) => x.item.end - x.item.start - (y.item.end - y.item.start) || x.item.id - y.item.id,
        );
        const inner = stacked[0].item;
        classes.push("hl", "hl-" + inner.label, "depth-" + Math.min(stacked.length, MAX_DEPTH));
        stacked.slice(1, MAX_DEPTH).forEach((span, n) => classes.push(`u${n + 1}-${span.item.label}`));
        if (inner.anchor_state === "fuzzy") classes.push("fuzzy");
        mark.dataset.ids = annotations.map((span) => span.item.id).join(" ");
        mark.dataset.badge = annotations
          .filter((span) => span.s === start)
          .map((span) => (LABEL[span.item.label] || {}).badge || "?")
          .join("");
        mark.title = annotations
          .map((span) => `${labelName(span.item.label)} (${statusName(span.item.status)})`)
          .join(" · ");
        if (state.selectedId !== null && annotations.some((span) => span.item.id === state.selectedId)) {
          classes.push("current");
        }
      }
      if (suggestions.length) {
        classes.push("sg");
        mark.dataset.sids = suggestions.map((span) => span.item.id).join(" ");
        const starting = suggestions.filter((span) => !firstSuggestionPiece.has(span.item.id));
        if (starting.length) {
          const sug = starting[0].item;
          starting.forEach((span) => firstSuggestionPiece.add(span.item.id));
          mark.tabIndex = 0;
          mark.dataset.sid = String(sug.id);
          mark.setAttribute("role", "button");
          mark.setAttribute(
            "aria-label",
            format(_("Suggested %(label)s: “%(quote)s”. Enter accepts, Backspace dismisses."), {
              label: labelName(sug.label),
              quote: sug.exact,
            }),
          );
        }
        const hint = suggestions
          .map((span) => format(_("Suggestion: %(label)s (%(cue)s)"), { label: labelName(span.item.label), cue: span.item.cue || "" }))
          .join(" · ");
        mark.title = mark.title ? mark.title + " · " + hint : hint;
      }
      mark.className = classes.join(" ");
      fragment.append(mark);
    }
    textEl.replaceChildren(fragment);
  }

  function marksOf(id) {
    return [...textEl.querySelectorAll("mark[data-ids]")].filter((mark) =>
      mark.dataset.ids.split(" ").includes(String(id)),
    );
  }

  function markCurrent() {
    for (const mark of textEl.querySelectorAll("mark.current")) mark.classList.remove("current");
    if (state.selectedId === null) return;
    for (const mark of marksOf(state.selectedId)) mark.classList.add("current");
  }

  // --- sidebar ------------------------------------------------------------------------------

  const listEl = $("annotation-list");
  const filterLabel = $("filter-label");
  const filterStatus = $("filter-status");

  function matchesFilters(a) {
    const label = filterLabel ? filterLabel.value : "";
    const status = filterStatus ? filterStatus.value : "";
    if (label && a.label !== label) return false;
    if (status === "all") return true;
    if (status.startsWith("anchor:")) return a.anchor_state === status.slice(7) && a.status !== "withdrawn";
    if (status) return a.status === status;
    return a.status !== "withdrawn";
  }

  function visibleAnnotations() {
    return sortedAnnotations().filter(matchesFilters);
  }

  function verdictText(verdict) {
    if (!verdict) return "";
    const rating = DATA.ratings[verdict.rating] || verdict.rating;
    return format(_("%(rating)s (%(status)s)"), { rating, status: verdictStatusName(verdict.status) });
  }

  function verdictStatusName(status) {
    return { proposed: _("proposed"), approved: _("approved"), rejected: _("rejected") }[status] || status;
  }

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
    const button = el(
      "button",
      { type: "button", class: "entry", "data-id": a.id, "aria-pressed": a.id === state.selectedId ? "true" : "false" },
      el("span", { class: "badge hl-" + a.label, "aria-hidden": "true" }, label.badge),
      " ",
      el("span", { class: "label-name" }, label.name),
      " ",
      el("q", {}, quote),
      el("br"),
      meta,
    );
    const item = el("li", { "data-id": a.id, class: a.id === state.selectedId ? "selected" : "" }, button);
    if (a.note) item.append(el("p", { class: "note" }, a.note));
    return item;
  }

  function renderList() {
    if (!listEl) return;
    const items = visibleAnnotations();
    const fragment = document.createDocumentFragment();
    for (const a of items) fragment.append(listItem(a));
    if (!items.length) {
      fragment.append(
        el("li", { class: "empty" }, state.annotations.size ? _("No annotations match these filters.") : _("No annotations yet.")),
      );
    }
    listEl.replaceChildren(fragment);
    const count = $("annotation-count");
    if (count) count.textContent = String([...state.annotations.values()].filter((a) => a.status !== "withdrawn").length);
  }

  // --- selecting an annotation ---------------------------------------------------------------

  function select(id, { scroll = true, focusList = false } = {}) {
    if (!state.annotations.has(id)) return;
    state.selectedId = id;
    markCurrent();
    if (listEl) {
      for (const item of listEl.children) {
        const on = item.dataset.id === String(id);
        item.classList.toggle("selected", on);
        const button = item.querySelector("button.entry");
        if (button) button.setAttribute("aria-pressed", on ? "true" : "false");
        if (on) {
          item.scrollIntoView({ block: "nearest" });
          if (focusList && button) button.focus({ preventScroll: true });
        }
      }
    }
    if (scroll) {
      const first = marksOf(id)[0];
      if (first) first.scrollIntoView({ block: "center", behavior: "smooth" });
    }
    openPanel(id);
  }

  function deselect() {
    state.selectedId = null;
    markCurrent();
    renderList();
    closePanel();
  }

  function step(delta) {
    const items = visibleAnnotations();
    if (!items.length) return;
    let index = items.findIndex((a) => a.id === state.selectedId);
    if (index === -1) index = delta > 0 ? 0 : items.length - 1;
    else index = Math.min(items.length - 1, Math.max(0, index + delta));
    select(items[index].id, { focusList: document.activeElement && listEl && listEl.contains(document.activeElement) });
  }

  if (listEl) {
    listEl.addEventListener("click", (event) => {
      const button = event.target.closest("button.entry");
      if (button) select(Number(button.dataset.id));
    });
  }
  for (const filter of [filterLabel, filterStatus]) {
    if (filter) filter.addEventListener("change", renderList);
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

  // --- the detail panel ----------------------------------------------------------------------

  const panel = $("detail-panel");
  const form = $("annotation-form");
  const field = {
    label: $("edit-label"),
    note: $("edit-note"),
    priority: $("edit-priority"),
    due: $("edit-due"),
  };
  const saveStatus = $("save-status");
  const conflictBox = $("conflict-box");

  function dateInputValue(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    const pad = (n) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  }

  // A due date means the end of that day where the editor is.
  function dateToIso(value) {
    if (!value) return null;
    const [y, m, d] = value.split("-").map(Number);
    return new Date(y, m - 1, d, 23, 59, 0).toISOString();
  }

  function formatTime(iso) {
    if (!iso) return "";
    try {
      return new Date(iso).toLocaleString(document.documentElement.lang || undefined, {
        dateStyle: "medium",
        timeStyle: "short",
      });
    } catch (error) {
      return iso;
    }
  }

  function fillForm(a) {
    field.label.value = a.label;
    field.note.value = a.note || "";
    field.priority.value = String(a.priority);
    field.due.value = dateInputValue(a.due_at);
    state.formFor = a.id;
    state.dirty = false;
  }

  function fillPanel() {
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
    $("detail-assignees").textContent = a.assignees && a.assignees.length
      ? format(_("Assigned to %(names)s"), { names: a.assignees.join(", ") })
      : _("Nobody is assigned yet.");
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
      options.push(
        el(
          "option",
          { value: reviewer.username, disabled: taken },
          format(ngettext("%(name)s — %(count)s open", "%(name)s — %(count)s open", reviewer.open), {
            name: reviewer.username,
            count: reviewer.open,
          }),
        ),
      );
    }
    select.replaceChildren(...options);
    if (previous && state.reviewers.some((r) => r.username === previous)) select.value = previous;
  }

  function renderVerdicts(a) {
    const list = $("verdict-list");
    const verdicts = a.verdicts || (a.current_verdict ? [a.current_verdict] : []);
    if (!verdicts.length) {
      list.replaceChildren(el("li", { class: "muted" }, _("No verdict yet.")));
      return;
    }
    list.replaceChildren(
      ...[...verdicts].reverse().map((v) => {
        const item = el(
          "li",
          { class: "verdict-item st-" + v.status },
          el("strong", {}, DATA.ratings[v.rating] || v.rating),
          " · ",
          verdictStatusName(v.status),
          v.author ? " · " + format(_("by %(name)s"), { name: v.author }) : "",
          v.created_at ? " · " + formatTime(v.created_at) : "",
        );
        if (v.rationale) item.append(el("p", { class: "note" }, v.rationale));
        if (v.decided_by) {
          item.append(
            el(
              "p",
              { class: "muted" },
              format(_("Decided by %(name)s"), { name: v.decided_by }) + (v.decision_note ? ": " + v.decision_note : ""),
            ),
          );
        }
        return item;
      }),
    );
  }

  function plainList(id, items, empty, render) {
    const list = $(id);
    if (!list) return;
    if (!items.length) {
      list.replaceChildren(el("li", { class: "muted" }, empty));
      return;
    }
    list.replaceChildren(...items.map(render));
  }

  function showExtrasLoading() {
    for (const listId of ["comment-list", "check-list", "history-list"]) {
      const list = $(listId);
      if (list) list.replaceChildren(el("li", { class: "muted" }, _("Loading…")));
    }
  }

  async function loadPanelExtras(id) {
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

  function showList(id, result, empty, render) {
    if (!result.ok) {
      const list = $(id);
      if (list) list.replaceChildren(el("li", { class: "error" }, errorText(result.response)));
      return;
    }
    plainList(id, result.items, empty, render);
  }

  // --- source checks (live) ------------------------------------------------------------------

  // While a shown check is pending or running, the list is read again every CHECK_POLL_MS.
  // Polling stops once every check has settled, when the panel shows another annotation or
  // closes, and after CHECK_GIVE_UP_MS: checks have time limits, and a tab left open must
  // not poll for ever. Only the check list is redrawn, and only when a check changed.
  const CHECK_POLL_MS = 2000;
  const CHECK_GIVE_UP_MS = 10 * 60 * 1000;
  const UNSETTLED = new Set(["pending", "running"]);
  const checks = { id: null, timer: 0, since: 0, request: 0, shown: null };

  function stopChecks() {
    clearTimeout(checks.timer);
    checks.timer = 0;
    checks.id = null;
    checks.request += 1; // an answer still on its way is dropped
    const list = $("check-list");
    if (list) list.removeAttribute("aria-busy");
  }

  async function loadChecks(id) {
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
        plainList("check-list", result.items, _("No source checks."), renderCheck);
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

  function canRequestChecks(a) {
    // The API decides (editors, chiefs, the assigned reviewer); this only hides a button
    // that would be refused.
    return USER.can_edit || USER.can_assign || (a.assignees || []).includes(USER.username);
  }

  async function rerunChecks() {
    const a = state.annotations.get(state.selectedId);
    const status = $("rerun-status");
    const button = $("rerun-checks");
    if (!a) return;
    button.disabled = true;
    setStatus(status, _("Requesting…"));
    const response = await api("POST", `annotations/${a.id}/source-checks/`, {});
    button.disabled = false;
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
    const message = format(
      ngettext("%(count)s check requested.", "%(count)s checks requested.", count),
      { count },
    );
    setStatus(status, message, "ok");
    announce(message);
    loadChecks(a.id);
  }

  const rerunButton = $("rerun-checks");
  if (rerunButton) rerunButton.addEventListener("click", rerunChecks);

  function fillCheckActions(a) {
    if (!rerunButton) return;
    rerunButton.hidden = !canRequestChecks(a);
  }

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
    if (check.http_status && check.error !== "HTTP " + check.http_status) facts.push("HTTP " + check.http_status);
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
      const line = el("p", { class: "flag flag-" + code }, "⚑ ", el("strong", {}, FLAG_NAMES[code] || code));
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

  function checkStatusName(status) {
    return (
      {
        pending: _("pending"),
        running: _("running"),
        done: _("done"),
        failed: _("failed"),
        blocked: _("blocked"),
      }[status] || status
    );
  }

  let extrasTimer = 0;

  function openPanel(id) {
    if (!panel) return;
    const changed = state.formFor !== id;
    panel.hidden = false;
    if (changed) {
      state.dirty = false;
      state.conflict = null;
      conflictBox.hidden = true;
      setStatus(saveStatus, "");
      setStatus($("assign-status"), "");
      setStatus($("comment-status"), "");
      setStatus($("withdraw-status"), "");
    }
    fillPanel();
    if (changed) {
      // j/k can pass through many entries quickly: load the extras of the one that stays.
      stopChecks();
      setStatus($("rerun-status"), "");
      showExtrasLoading();
      clearTimeout(extrasTimer);
      extrasTimer = setTimeout(() => loadPanelExtras(id), 120);
    }
  }

  function closePanel() {
    clearTimeout(extrasTimer);
    stopChecks();
    if (panel) panel.hidden = true;
    state.formFor = null;
    state.dirty = false;
  }

  if (panel) {
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

  function formChanges(a) {
    const changes = {};
    if (field.label.value !== a.label) changes.label = field.label.value;
    if (field.note.value !== (a.note || "")) changes.note = field.note.value;
    if (Number(field.priority.value) !== a.priority) changes.priority = Number(field.priority.value);
    if (field.due.value !== dateInputValue(a.due_at)) changes.due_at = dateToIso(field.due.value);
    return changes;
  }

  function merge(updated) {
    const previous = state.annotations.get(updated.id) || {};
    // The API object has no verdict history; keep the one the page was rendered with.
    const merged = { ...previous, ...updated };
    if (!updated.verdicts) merged.verdicts = previous.verdicts;
    state.annotations.set(updated.id, merged);
    return merged;
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
    if (!response.ok) {
      setStatus(saveStatus, errorText(response), "error");
      return;
    }
    const labelChanged = response.data.label !== a.label;
    merge(response.data);
    state.dirty = false;
    state.conflict = null;
    conflictBox.hidden = true;
    setStatus(saveStatus, _("Saved."), "ok");
    announce(_("Saved."));
    if (labelChanged) renderText();
    renderList();
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
    renderText();
    renderList();
    markCurrent();
    fillPanel();
    setStatus(saveStatus, "");
    field.note.focus();
  }

  const assignForm = $("assign-form");
  if (assignForm) {
    assignForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const a = state.annotations.get(state.selectedId);
      const reviewer = $("assign-reviewer").value;
      const status = $("assign-status");
      if (!a) return;
      if (!reviewer) {
        setStatus(status, _("Choose a reviewer first."), "error");
        return;
      }
      const body = { reviewer };
      const due = dateToIso($("assign-due").value);
      if (due) body.due_at = due;
      setStatus(status, _("Assigning…"));
      const response = await api("POST", `annotations/${a.id}/assign/`, body);
      if (!response.ok) {
        setStatus(status, errorText(response), "error");
        return;
      }
      merge(response.data);
      const entry = state.reviewers.find((r) => r.username === reviewer);
      if (entry) entry.open += 1;
      $("assign-reviewer").value = "";
      setStatus(status, format(_("Assigned to %(name)s."), { name: reviewer }), "ok");
      announce(format(_("Assigned to %(name)s."), { name: reviewer }));
      renderText();
      renderList();
      markCurrent();
      fillPanel();
      loadPanelExtras(a.id);
    });
  }

  const commentForm = $("comment-form");
  if (commentForm) {
    commentForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const a = state.annotations.get(state.selectedId);
      const body = $("comment-body").value;
      const status = $("comment-status");
      if (!a) return;
      if (!body.trim()) {
        setStatus(status, _("Write a comment first."), "error");
        return;
      }
      const response = await api("POST", `annotations/${a.id}/comments/`, { body });
      if (!response.ok) {
        setStatus(status, errorText(response), "error");
        return;
      }
      $("comment-body").value = "";
      setStatus(status, _("Comment added."), "ok");
      loadPanelExtras(a.id);
    });
  }

  const withdrawButton = $("withdraw-button");
  if (withdrawButton) {
    withdrawButton.addEventListener("click", () => {
      $("withdraw-confirm").hidden = false;
      $("withdraw-confirm").focus();
    });
    $("withdraw-confirm").addEventListener("click", async () => {
      const a = state.annotations.get(state.selectedId);
      const status = $("withdraw-status");
      if (!a) return;
      const response = await api("DELETE", `annotations/${a.id}/`, undefined, { "If-Match": `"${a.version}"` });
      if (!response.ok) {
        setStatus(status, response.status === 412 ? _("Someone else changed it first; reload the page.") : errorText(response), "error");
        return;
      }
      if (response.data && response.data.id) merge(response.data);
      else {
        const fresh = await api("GET", `annotations/${a.id}/`);
        if (fresh.ok) merge(fresh.data);
        else merge({ id: a.id, status: "withdrawn" });
      }
      announce(_("Withdrawn."));
      setStatus(status, _("Withdrawn."), "ok");
      renderText();
      renderList();
      fillPanel();
    });
  }

  // --- creating annotations from a selection -------------------------------------------------

  const toolbar = $("selection-toolbar");
  const article = $("annotate");

  // UTF-16 offset of a DOM boundary point inside the text container (clamped to it).
  function boundaryOffset(node, offset) {
    if (node === textEl || textEl.contains(node)) {
      const range = document.createRange();
      range.setStart(textEl, 0);
      range.setEnd(node, offset);
      return range.toString().length;
    }
    const position = textEl.compareDocumentPosition(node);
    return position & Node.DOCUMENT_POSITION_PRECEDING ? 0 : state.text.length;
  }

  // The current selection as a trimmed UTF-16 span of the text, or null.
  function selectedSpan() {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed || !selection.rangeCount || state.editingText) return null;
    const range = selection.getRangeAt(0);
    if (!range.intersectsNode(textEl)) return null;
    let start = boundaryOffset(range.startContainer, range.startOffset);
    let end = boundaryOffset(range.endContainer, range.endOffset);
    while (start < end && /\s/.test(state.text[start])) start++;
    while (end > start && /\s/.test(state.text[end - 1])) end--;
    if (start >= end) return null;
    return { start, end, range };
  }

  function hideToolbar() {
    if (toolbar) toolbar.hidden = true;
  }

  function placeToolbar() {
    if (!toolbar || !USER.can_edit) return;
    const span = selectedSpan();
    if (!span) {
      hideToolbar();
      return;
    }
    const rects = span.range.getClientRects();
    const rect = rects.length ? rects[0] : span.range.getBoundingClientRect();
    const box = article.getBoundingClientRect();
    toolbar.hidden = false;
    const width = toolbar.offsetWidth;
    const height = toolbar.offsetHeight;
    const left = Math.max(4, Math.min(rect.left - box.left, box.width - width - 4));
    let top = rect.top - box.top - height - 8;
    if (rect.top - height - 8 < 0) top = rect.bottom - box.top + 8;
    toolbar.style.left = `${left}px`;
    toolbar.style.top = `${top}px`;
  }

  let toolbarFrame = 0;
  document.addEventListener("selectionchange", () => {
    if (!USER.can_edit) return;
    cancelAnimationFrame(toolbarFrame);
    toolbarFrame = requestAnimationFrame(placeToolbar);
  });

  if (toolbar) {
    // Keep the selection when a toolbar button is pressed.
    toolbar.addEventListener("mousedown", (event) => event.preventDefault());
    toolbar.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-label]");
      if (button) createFromSelection(button.dataset.label);
    });
  }

  let creating = false;
  async function createFromSelection(slug) {
    const span = selectedSpan();
    if (!span || creating) return;
    creating = true;
    const exact = state.text.slice(span.start, span.end);
    const body = {
      article: ARTICLE.id,
      start: state.offsets.toCodePoint(span.start),
      end: state.offsets.toCodePoint(span.end),
      label: slug,
      exact,
    };
    announce(_("Saving…"));
    const response = await api("POST", "annotations/", body);
    creating = false;
    if (!response.ok) {
      announce(errorText(response));
      showTextNotice(errorText(response), "error");
      return;
    }
    const created = merge({ ...response.data, verdicts: [] });
    window.getSelection().removeAllRanges();
    hideToolbar();
    renderText();
    renderList();
    select(created.id, { scroll: false });
    announce(format(_("%(label)s created."), { label: labelName(slug) }));
  }

  function showTextNotice(message, kind) {
    const banner = $("reanchor-banner");
    if (!banner) return;
    banner.hidden = false;
    banner.className = "banner " + (kind || "info");
    banner.replaceChildren(el("p", {}, message));
  }

  // --- suggestions ---------------------------------------------------------------------------

  const suggestionsToggle = $("suggestions-toggle");

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

  if (suggestionsToggle) {
    suggestionsToggle.addEventListener("click", async () => {
      const on = !state.showSuggestions;
      if (on && !(await loadSuggestions())) return;
      state.showSuggestions = on;
      suggestionsToggle.setAttribute("aria-pressed", on ? "true" : "false");
      textEl.classList.toggle("with-suggestions", on);
      renderText();
      if (on) {
        const first = textEl.querySelector("mark[data-sid]");
        if (first) first.focus();
        const shown = state.suggestions.filter((s) => s.status === "pending").length;
        announce(format(ngettext("%(count)s suggestion shown.", "%(count)s suggestions shown.", shown), { count: shown }));
      }
    });
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

  // --- editing the article text --------------------------------------------------------------

  const editButton = $("edit-text-button");
  const editor = $("text-editor");
  const textInput = $("text-input");
  const REANCHOR_KEY = `factcheck:reanchored:${ARTICLE.id}`;

  function setEditing(on) {
    state.editingText = on;
    editor.hidden = !on;
    textEl.hidden = on;
    hideToolbar();
    if (editButton) editButton.setAttribute("aria-pressed", on ? "true" : "false");
    if (on) {
      textInput.value = state.text;
      setStatus(editor.querySelector(".form-status"), "");
      textInput.focus();
      state.versionRead = refreshVersion();
    }
  }

  // Tags and status changes move the article's version (its ETag) while the page is open.
  // The edit is compared with the version read when the editor opens, provided the text is
  // still the one on this page; a text saved by someone else meanwhile is reported instead.
  async function refreshVersion() {
    const response = await api("GET", `articles/${ARTICLE.id}/`);
    if (!response.ok || !response.data) return;
    if (response.data.revision !== ARTICLE.revision) {
      setStatus(
        editor.querySelector(".form-status"),
        _("Someone saved a newer text while you were editing. Your text is still in the box: copy it, reload the page, and apply your change again."),
        "error",
      );
      return;
    }
    const version = Number((response.etag || "").replace(/"/g, ""));
    if (version) ARTICLE.version = version;
  }

  if (editButton && editor) {
    editButton.addEventListener("click", () => setEditing(!state.editingText));
    $("text-cancel").addEventListener("click", () => setEditing(false));
    editor.addEventListener("submit", async (event) => {
      event.preventDefault();
      const status = editor.querySelector(".form-status");
      if (textInput.value === state.text) {
        setStatus(status, _("The text is unchanged."));
        return;
      }
      setStatus(status, _("Saving…"));
      await state.versionRead;
      // If-Match names the article's version this text was based on: when a colleague saved
      // anything meanwhile the server answers 412 and changes nothing; what was typed stays.
      const response = await api(
        "PATCH",
        `articles/${ARTICLE.id}/`,
        { text: textInput.value },
        { "If-Match": `"${ARTICLE.version}"` },
      );
      if (!response.ok) {
        if (response.status === 412) {
          setStatus(
            status,
            _("Someone saved a newer text while you were editing. Your text is still in the box: copy it, reload the page, and apply your change again."),
            "error",
          );
          return;
        }
        setStatus(status, errorText(response), "error");
        return;
      }
      const counts = (response.data && response.data.reanchored) || { anchored: 0, fuzzy: 0, orphaned: 0 };
      try {
        window.sessionStorage.setItem(
          REANCHOR_KEY,
          JSON.stringify({ counts, revision: response.data.revision }),
        );
      } catch (error) {
        // Private mode without storage: the banner is lost, the edit is not.
      }
      // The page is drawn again from the new revision with every span re-anchored.
      window.location.reload();
    });
  }

  function showReanchorBanner() {
    const banner = $("reanchor-banner");
    let saved = null;
    try {
      saved = JSON.parse(window.sessionStorage.getItem(REANCHOR_KEY) || "null");
      window.sessionStorage.removeItem(REANCHOR_KEY);
    } catch (error) {
      saved = null;
    }
    if (!banner || !saved) return;
    const counts = saved.counts || {};
    const orphans = sortedAnnotations().filter((a) => a.anchor_state === "orphaned" && a.status !== "withdrawn");
    const children = [
      el(
        "p",
        { class: "reanchor-summary" },
        el("strong", {}, format(_("Text saved as revision %(revision)s."), { revision: saved.revision || ARTICLE.revision })),
        " ",
        format(
          _("Re-anchored: %(anchored)s in place, %(fuzzy)s moved to a close match (fuzzy), %(orphaned)s orphaned."),
          { anchored: counts.anchored || 0, fuzzy: counts.fuzzy || 0, orphaned: counts.orphaned || 0 },
        ),
      ),
    ];
    if (orphans.length) {
      children.push(el("p", {}, _("Orphaned annotations keep their old quote:")));
      const list = el("ul", { class: "orphans" });
      for (const a of orphans) {
        const button = el(
          "button",
          { type: "button", class: "link", "data-id": a.id },
          el("span", { class: "badge hl-" + a.label, "aria-hidden": "true" }, (LABEL[a.label] || {}).badge || "?"),
          " ",
          el("q", {}, a.exact),
        );
        button.addEventListener("click", () => select(a.id));
        list.append(el("li", {}, button));
      }
      children.push(list);
    }
    const close = el("button", { type: "button", class: "close", "aria-label": _("Close") }, "×");
    close.addEventListener("click", () => (banner.hidden = true));
    children.push(close);
    banner.replaceChildren(...children);
    banner.className = "banner " + (counts.orphaned ? "warning" : "info");
    banner.hidden = false;
  }

  // --- keyboard ------------------------------------------------------------------------------

  const isTyping = (target) =>
    target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target) || state.editingText) return;
    const key = event.key;
    if (USER.can_edit && selectedSpan()) {
      const label =
        LABELS.find((l) => l.key && l.key === key) ||
        LABELS.find((l) => l.shortcut && l.shortcut.toLowerCase() === key.toLowerCase());
      if (label) {
        event.preventDefault();
        createFromSelection(label.slug);
        return;
      }
      if (key === "Escape") {
        window.getSelection().removeAllRanges();
        hideToolbar();
        return;
      }
    }
    if (event.target.closest && event.target.closest("mark[data-sid]") && (key === "Enter" || key === "Backspace")) return;
    if (key === "j") {
      event.preventDefault();
      step(1);
    } else if (key === "k") {
      event.preventDefault();
      step(-1);
    } else if (key === "e" && state.selectedId !== null && panel && !panel.hidden && !field.note.disabled) {
      event.preventDefault();
      field.note.focus();
    } else if (key === "Escape" && state.selectedId !== null) {
      deselect();
    }
  });

  // --- start --------------------------------------------------------------------------------

  renderList();
  showReanchorBanner();
})();
