// What the review workflow's page scripts (queue.js, review.js) share: their settings from
// a json_script tag, the test for a shortcut key, and re-reading a piece of the page the
// server renders. A native ES module: no inline script (CSP), no build step.

// The JSON of the json_script tag `id`, or null on a page without it.
export function pageData(id) {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : null;
}

// A key press meant as a shortcut: no modifier held, and not typed into a field (what
// counts as one is the page's `isField`).
export const isShortcut = (event, isField) => !(event.altKey || event.ctrlKey || event.metaKey || isField(event.target));

// The element `id` of the page at `url` as the server renders it now, or null when the
// answer is not a success or lacks it. Parsed into an inert document: nothing in it runs,
// and the server escaped every value. Network errors are the caller's.
export async function fetchFragment(url, id) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
  if (!response.ok) return null;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  return fresh.getElementById(id);
}
