// DOM and message helpers shared by every module of the annotate page. Nothing here reads
// the page data, so render.js (and the renderer parity test) can load it on any page.
//
// i18n: the djangojs catalogue (/jsi18n/) is a classic deferred script placed before the
// modules, so window.gettext exists by the time a module runs; elsewhere the English
// source strings are used as they are.
export const _ = window.gettext || ((s) => s);
export const ngettext = window.ngettext || ((one, many, n) => (n === 1 ? one : many));
export const format = (fmt, values) =>
  window.interpolate ? window.interpolate(fmt, values, true) : fmt.replace(/%\((\w+)\)s/g, (m, k) => values[k]);

export const $ = (id) => document.getElementById(id);

// An element with attributes and children. User text only ever becomes a text node or an
// attribute value here, never markup.
export function el(tag, attrs = {}, ...children) {
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
}

export function announce(message) {
  const liveStatus = $("live-status");
  if (!liveStatus) return;
  liveStatus.textContent = "";
  // A fresh text node makes screen readers repeat an identical message.
  window.requestAnimationFrame(() => (liveStatus.textContent = message));
}

// Tab and Shift+Tab go round the controls of `dialog` (a modal <dialog> alone lets the focus
// out to the browser's own bar).
export function keepFocusIn(dialog) {
  dialog.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") return;
    const controls = [...dialog.querySelectorAll("a[href], button, input, select, textarea, [tabindex]")].filter(
      (node) => !node.disabled && node.tabIndex >= 0 && node.getClientRects().length,
    );
    if (!controls.length) return;
    const first = controls[0];
    const last = controls[controls.length - 1];
    const active = document.activeElement;
    if (event.shiftKey ? active === first || !controls.includes(active) : active === last || !controls.includes(active)) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    }
  });
}

export function setStatus(node, message, kind = "") {
  if (!node) return;
  node.textContent = message;
  node.className = "form-status" + (kind ? " " + kind : "");
}

// The message of a failed API response, as the user should read it.
export function errorText(response) {
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

// A banner above the text (the re-anchor banner's slot) for errors of tagging and suggestions.
export function showTextNotice(message, kind) {
  const banner = $("reanchor-banner");
  if (!banner) return;
  banner.hidden = false;
  banner.className = "banner " + (kind || "info");
  banner.replaceChildren(el("p", {}, message));
}

export function formatTime(iso) {
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

// Fill the list `id` with one item per entry, or one muted line when there is none.
export function plainList(id, items, empty, render) {
  const list = $(id);
  if (!list) return;
  if (!items.length) {
    list.replaceChildren(el("li", { class: "muted" }, empty));
    return;
  }
  list.replaceChildren(...items.map(render));
}
