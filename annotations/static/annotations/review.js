// The review page: keys 1–7 pick a rating, a counter shows how long the rationale is, and
// the evidence list updates itself while a source check is pending or running (it re-reads
// the server-rendered list every few seconds, then stops). No inline script (CSP).
(() => {
  "use strict";

  const dataNode = document.getElementById("review-data");
  if (!dataNode) return;
  const DATA = JSON.parse(dataNode.textContent);
  const _ = window.gettext || ((s) => s);
  const interpolate = window.interpolate || ((fmt, values) => fmt.replace(/%\((\w+)\)s/g, (m, k) => values[k]));

  const isTyping = (target) =>
    target instanceof HTMLElement && (target.isContentEditable || /^(TEXTAREA|SELECT)$/.test(target.tagName) ||
      (target.tagName === "INPUT" && !/^(radio|checkbox|button|submit)$/.test(target.type)));

  // --- rating keys --------------------------------------------------------------------------

  const form = document.getElementById("verdict-form");
  if (form) {
    document.addEventListener("keydown", (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey || isTyping(event.target)) return;
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
      counter.textContent = interpolate(_("%(n)s characters"), { n }, true);
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

  async function refreshEvidence() {
    timer = null;
    const list = document.getElementById("evidence-list");
    if (!list || !list.querySelector(UNFINISHED) || Date.now() - started > GIVE_UP_AFTER_MS) return;
    try {
      const response = await fetch(DATA.evidence_url, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (response.ok) {
        // An inert document: the server escaped every value; nothing in it runs.
        const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("evidence-list");
        if (fresh && fresh.innerHTML !== list.innerHTML) list.replaceWith(document.importNode(fresh, true));
      }
    } catch (error) {
      // A network hiccup: try again on the next tick.
    }
    timer = window.setTimeout(refreshEvidence, DATA.poll_ms);
  }
  timer = window.setTimeout(refreshEvidence, DATA.poll_ms);
})();
