// The review page: keys 1–7 pick a rating, a counter shows how long the rationale is, and
// the evidence list updates itself while a source check is pending or running (it re-reads
// the server-rendered list every few seconds, then stops). No inline script (CSP).
import { _, format, formatNumber, ngettext } from "./annotate/dom.js";
import { fetchFragment, isShortcut, pageData } from "./page.js";

const DATA = pageData("review-data");
if (DATA) wireReview();

function wireReview() {
  const isTyping = (target) =>
    target instanceof HTMLElement && (target.isContentEditable || /^(TEXTAREA|SELECT)$/.test(target.tagName) ||
      (target.tagName === "INPUT" && !/^(radio|checkbox|button|submit)$/.test(target.type)));

  // --- rating keys --------------------------------------------------------------------------

  const form = document.getElementById("verdict-form");
  if (form) {
    document.addEventListener("keydown", (event) => {
      if (!isShortcut(event, isTyping)) return;
      const radio = form.querySelector(`input[name="rating"][data-key="${CSS.escape(event.key)}"]`);
      if (!radio) return;
      radio.checked = true;
      radio.focus();
      radio.dispatchEvent(new Event("change", { bubbles: true }));
      event.preventDefault();
    });

    const rationale = document.getElementById("id_rationale");
    const counter = document.getElementById("rationale-count");
    const count = () => {
      const n = [...rationale.value.trim()].length;
      counter.textContent = format(ngettext("%(n)s character", "%(n)s characters", n), { n: formatNumber(n) });
      counter.classList.toggle("short", n < DATA.min_rationale);
    };
    rationale.addEventListener("input", count);
    count();

    // One submission at a time: a double click must not propose twice.
    form.addEventListener("submit", () => {
      const button = document.getElementById("propose-button");
      window.setTimeout(() => (button.disabled = true), 0);
    });
  }

  // --- live source checks -------------------------------------------------------------------

  const UNFINISHED = '[data-check-status="pending"], [data-check-status="running"]';
  // Checks have hard time limits; a page left open does not poll for ever.
  const GIVE_UP_AFTER_MS = 10 * 60 * 1000;
  const started = Date.now();
  let timer = null;

  const checkStates = (list) => new Map([...list.querySelectorAll(".evidence-item")].map((item) => [item.id, item.dataset.checkStatus]));

  // A check that changed state is read out (the list itself changes silently): its source and
  // its state as the page shows it.
  function announceChecks(before, list) {
    const live = document.getElementById("review-live");
    const changed = [...list.querySelectorAll(".evidence-item")].filter((item) => before.get(item.id) !== item.dataset.checkStatus);
    if (!live || !changed.length) return;
    live.textContent = changed
      .map((item) => {
        const source = item.querySelector(".evidence-link");
        const status = item.querySelector(".check-result .status");
        return format(_("Source check of %(source)s: %(status)s."), {
          source: source ? source.textContent.trim() : "",
          status: status ? status.textContent.trim() : item.dataset.checkStatus,
        });
      })
      .join(" ");
  }

  async function refreshEvidence() {
    timer = null;
    const list = document.getElementById("evidence-list");
    if (!list || !list.querySelector(UNFINISHED) || Date.now() - started > GIVE_UP_AFTER_MS) return;
    try {
      const fresh = await fetchFragment(DATA.evidence_url, "evidence-list");
      if (fresh && fresh.innerHTML !== list.innerHTML) {
        const before = checkStates(list);
        const swapped = document.importNode(fresh, true);
        list.replaceWith(swapped);
        announceChecks(before, swapped);
      }
    } catch (error) {
      // A network hiccup: try again on the next tick.
    }
    timer = window.setTimeout(refreshEvidence, DATA.poll_ms);
  }
  timer = window.setTimeout(refreshEvidence, DATA.poll_ms);
}
