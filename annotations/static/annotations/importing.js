// An article being fetched from its URL: ask the API every few seconds whether the import
// has finished and reload the page once it has. (A timed <meta> refresh would reload every
// few seconds whatever happened, moving a screen reader's and a keyboard user's place; the
// page now changes only when there is something new to show: WCAG 2.2.1.)
(() => {
  "use strict";

  const banner = document.getElementById("import-wait");
  if (!banner) return;
  const url = banner.dataset.poll;
  const POLL_MS = 3000;

  async function poll() {
    let response;
    try {
      response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    } catch (error) {
      window.setTimeout(poll, POLL_MS); // the network blinked: ask again
      return;
    }
    if (!response.ok) return; // gone or no longer ours to see: the page stays as it is
    const article = await response.json();
    if (article.status === "importing") window.setTimeout(poll, POLL_MS);
    else window.location.reload();
  }

  window.setTimeout(poll, POLL_MS);
})();
