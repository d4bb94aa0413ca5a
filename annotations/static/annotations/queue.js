// The reviewer's queue: j/k move through the rows, Enter opens one, ? shows the shortcuts.
// The queue refreshes itself: it asks /api/v1/queue/ every few seconds whether the list
// changed (its count or its first page of ids) and, when it did, re-reads this page and
// swaps in the new rows. No inline script (CSP): the settings come from json_script.
import { $, _, format, keepFocusIn, ngettext } from "./annotate/dom.js";
import { fetchFragment, isShortcut, pageData } from "./page.js";

const DATA = pageData("queue-data");
if (DATA) wireQueue();

function wireQueue() {
  const live = $("queue-live");
  const help = $("shortcuts");
  const helpButton = $("shortcuts-button");

  let signature = DATA.signature;
  let selectedId = null;
  let busy = false;

  const rows = () => [...document.querySelectorAll("#queue-rows tr.queue-row")];

  function select(row) {
    for (const other of rows()) other.classList.toggle("selected", other === row);
    if (!row) {
      selectedId = null;
      return;
    }
    selectedId = row.dataset.id;
    const link = row.querySelector("a.open");
    if (link) link.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    const all = rows();
    if (!all.length) return;
    const index = all.findIndex((row) => row.dataset.id === selectedId);
    const next = index < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(Math.max(index + step, 0), all.length - 1);
    select(all[next]);
  }

  function open() {
    const row = rows().find((r) => r.dataset.id === selectedId);
    const link = row && row.querySelector("a.open");
    if (link) window.location.assign(link.href);
  }

  // The help is a modal dialog: the queue behind it is inert, Tab goes round its controls,
  // and closing it (Esc, its button, ?) gives the focus back to where it was.
  let helpOpener = null;
  function toggleHelp(show) {
    const visible = show === undefined ? !help.open : show;
    if (visible === help.open) return;
    if (!visible) {
      help.close();
      return;
    }
    helpOpener = document.activeElement;
    help.showModal();
    helpButton.setAttribute("aria-expanded", "true");
    $("shortcuts-close").focus();
  }
  // Esc first fires "cancel", at once; "close" follows as a task.
  help.addEventListener("cancel", () => helpButton.setAttribute("aria-expanded", "false"));
  help.addEventListener("close", () => {
    helpButton.setAttribute("aria-expanded", "false");
    (helpOpener && helpOpener.isConnected && helpOpener !== document.body ? helpOpener : helpButton).focus();
    helpOpener = null;
  });
  keepFocusIn(help);

  const isTyping = (target) =>
    target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));

  document.addEventListener("keydown", (event) => {
    if (!isShortcut(event, isTyping)) return;
    if (help.open) {
      // Esc closes the dialog by itself; the queue's keys wait until it is closed.
      if (event.key === "?") {
        toggleHelp(false);
        event.preventDefault();
      }
      return;
    }
    if (event.key === "?") {
      toggleHelp();
      event.preventDefault();
    } else if (event.key === "j") {
      move(1);
      event.preventDefault();
    } else if (event.key === "k") {
      move(-1);
      event.preventDefault();
    } else if (event.key === "Enter" && selectedId && !(event.target instanceof HTMLAnchorElement)) {
      // On the focused link Enter follows it anyway.
      open();
      event.preventDefault();
    }
  });
  helpButton.addEventListener("click", () => toggleHelp());
  $("shortcuts-close").addEventListener("click", () => toggleHelp(false));
  document.addEventListener("click", (event) => {
    const row = event.target.closest("#queue-rows tr.queue-row");
    if (row && !event.target.closest("a")) select(row);
  });

  // --- live refresh -------------------------------------------------------------------------

  const sameSignature = (a, b) => a.count === b.count && a.ids.length === b.ids.length && a.ids.every((id, i) => id === b.ids[i]);

  async function refreshRows() {
    // Not while the reviewer is choosing a filter: the next poll refreshes instead.
    if ($("queue-filters").contains(document.activeElement)) return false;
    const before = new Set(rows().map((row) => row.dataset.id));
    const region = await fetchFragment(window.location.href, "queue-region");
    if (!region) return false;
    const current = $("queue-region");
    const hadFocus = current.contains(document.activeElement);
    current.replaceWith(document.importNode(region, true));
    let added = 0;
    for (const row of rows()) {
      if (!before.has(row.dataset.id)) {
        row.classList.add("is-new");
        added += 1;
      }
    }
    const keep = rows().find((row) => row.dataset.id === selectedId);
    if (keep) {
      keep.classList.add("selected");
      if (hadFocus) keep.querySelector("a.open").focus({ preventScroll: true });
    } else {
      selectedId = null;
    }
    if (added) {
      live.textContent = format(ngettext("%(n)s new item in your queue.", "%(n)s new items in your queue.", added), { n: added });
    } else {
      live.textContent = _("Your queue was updated.");
    }
    return true;
  }

  async function poll() {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const response = await fetch(DATA.api, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const body = await response.json();
      const now = { count: body.count, ids: body.results.map((item) => item.id) };
      if (!sameSignature(now, signature) && (await refreshRows())) signature = now;
    } catch (error) {
      // Offline for a moment: the next poll tries again.
    } finally {
      busy = false;
    }
  }

  window.setInterval(poll, DATA.poll_ms);
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) poll();
  });
}
