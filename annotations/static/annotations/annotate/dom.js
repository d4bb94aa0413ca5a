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

// Numbers and dates as the page's language writes them (<html lang>), and times in the
// desk's time zone (<html data-time-zone>, settings.DESK_TIME_ZONE) whatever the browser's.
const LANG = document.documentElement.lang || undefined;
export const DESK_ZONE = document.documentElement.dataset.timeZone || undefined;

export const formatNumber = (n) => new Intl.NumberFormat(LANG).format(n);

export function formatTime(iso) {
  if (!iso) return "";
  try {
    return new Intl.DateTimeFormat(LANG, { dateStyle: "medium", timeStyle: "short", timeZone: DESK_ZONE }).format(new Date(iso));
  } catch (error) {
    return iso;
  }
}

// A day ("2026-12-10") as the page's language writes it. Read and written as UTC midnight,
// so no browser time zone can move it to the day before.
export function formatDay(day) {
  if (!day) return "";
  const [y, m, d] = day.split("-").map(Number);
  return new Intl.DateTimeFormat(LANG, { dateStyle: "medium", timeZone: "UTC" }).format(new Date(Date.UTC(y, m - 1, d)));
}

// The day at the desk ("2026-12-10") of an RFC 3339 time: what a date input shows of a due date.
export function deskDay(iso) {
  if (!iso) return "";
  const parts = {};
  const formatter = new Intl.DateTimeFormat("en-US", { timeZone: DESK_ZONE, year: "numeric", month: "2-digit", day: "2-digit" });
  for (const part of formatter.formatToParts(new Date(iso))) parts[part.type] = part.value;
  return `${parts.year}-${parts.month}-${parts.day}`;
}

// Whole days from today at the desk to `day` (negative when it is past).
export function daysUntil(day) {
  const utc = (value) => {
    const [y, m, d] = value.split("-").map(Number);
    return Date.UTC(y, m - 1, d);
  };
  return Math.round((utc(day) - utc(deskDay(new Date().toISOString()))) / 86400000);
}

// What a reviewer reads of a due day: "in 3 days", "today", "tomorrow", "2 days overdue".
export function dueWhen(day) {
  const days = daysUntil(day);
  if (days < 0) return format(ngettext("%(n)s day overdue", "%(n)s days overdue", -days), { n: formatNumber(-days) });
  if (days === 0) return _("due today");
  if (days === 1) return _("due tomorrow");
  return format(ngettext("due in %(n)s day", "due in %(n)s days", days), { n: formatNumber(days) });
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

// Why a text cannot be sent, or "" when it fits: more than `maxChars` characters (code
// points, as the server counts), or a request body of `bytes` over `maxBytes`, which the
// server refuses before reading it. Checked before sending, so that a huge paste is refused
// in the page and stays in its box (issue 13). A limit of 0 is not checked.
export function textTooLarge(value, { maxChars = 0, bytes = 0, maxBytes = 0 } = {}) {
  const number = (n, digits = 0) =>
    n.toLocaleString(document.documentElement.lang || undefined, { maximumFractionDigits: digits });
  if (maxChars && value.length > maxChars) {
    const count = [...value].length;
    if (count > maxChars) {
      return format(_("The text has %(count)s characters; the limit is %(limit)s."), { count: number(count), limit: number(maxChars) });
    }
  }
  if (maxBytes && bytes > maxBytes) {
    return format(_("The text is too large to send: %(size)s MB; the limit is %(limit)s MB."), {
      size: number(bytes / 1e6, 1),
      limit: number(maxBytes / 1e6, 1),
    });
  }
  return "";
}
