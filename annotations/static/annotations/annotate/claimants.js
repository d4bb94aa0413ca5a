// The claim's claimant in the detail panel: who made the claim, picked from the desk's
// claimants or created on the spot. The field is a combobox (WAI-ARIA 1.2, list
// autocomplete): typing searches names and aliases (/api/v1/claimants/?q=), the arrow keys
// move through the options (aria-activedescendant), Enter picks, Esc closes the list.
// Picking saves at once, through the annotation's PATCH with If-Match like every edit.
import { api } from "./api.js";
import { $, _, announce, el, errorText, format, setStatus } from "./dom.js";
import { updateEntry } from "./list.js";
import { DATA, LABEL, USER, merge, state } from "./state.js";

const section = $("claimant-section");
const input = $("claimant-input");
const listbox = $("claimant-options");
const status = $("claimant-status");
const SEARCH_DELAY_MS = 150;
const SHOWN = 8;

const picker = { options: [], active: -1, timer: 0, asked: 0 };

const kindName = (kind) => (DATA.claimant_kinds && DATA.claimant_kinds[kind]) || kind;
const isClaim = (a) => Boolean(LABEL[a.label] && LABEL[a.label].needs_verdict);
const canPick = (a) => USER.can_edit && a.status !== "withdrawn";

// Names a suggestion proposed that the desk does not know yet, by annotation id: the field
// starts with the name, and the list offers to create it (suggestions.js).
export const offers = new Map();

export function fillClaimant(a) {
  if (!section) return;
  if (!a || !isClaim(a)) {
    section.hidden = true;
    closeList();
    return;
  }
  section.hidden = false;
  const current = a.claimant;
  $("claimant-current").textContent = current
    ? format(_("%(name)s (%(kind)s)"), { name: current.name, kind: kindName(current.kind) })
    : _("Nobody named yet.");
  const editable = canPick(a);
  $("claimant-picker").hidden = !editable;
  $("claimant-clear").hidden = !(editable && current);
  if (picker.for !== a.id) {
    picker.for = a.id;
    closeList();
    setStatus(status, "");
    input.value = !current && offers.has(a.id) ? offers.get(a.id) : "";
  }
}

function closeList() {
  if (!listbox) return;
  listbox.hidden = true;
  listbox.replaceChildren();
  input.setAttribute("aria-expanded", "false");
  input.removeAttribute("aria-activedescendant");
  picker.options = [];
  picker.active = -1;
}

function setActive(index) {
  picker.active = index;
  listbox.querySelectorAll("[role=option]").forEach((node, i) => node.setAttribute("aria-selected", i === index ? "true" : "false"));
  const node = index >= 0 ? $(`claimant-option-${index}`) : null;
  if (node) {
    input.setAttribute("aria-activedescendant", node.id);
    node.scrollIntoView({ block: "nearest" });
  } else input.removeAttribute("aria-activedescendant");
}

// The options: the claimants found, then, for those who may create, the typed name as a new
// person and a new organisation (unless a claimant of that kind has exactly that name).
function showOptions(query, claimants) {
  const name = query.trim().replace(/\s+/g, " ");
  picker.options = claimants.slice(0, SHOWN).map((claimant) => ({ claimant }));
  if (USER.can_create_claimants && name) {
    for (const kind of Object.keys(DATA.claimant_kinds || {})) {
      const taken = claimants.some((c) => c.kind === kind && c.name.toLowerCase() === name.toLowerCase());
      if (!taken) picker.options.push({ create: { name, kind } });
    }
  }
  if (!picker.options.length) {
    listbox.replaceChildren(el("li", { class: "muted", role: "presentation" }, _("No claimant found.")));
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
    picker.active = -1;
    input.removeAttribute("aria-activedescendant");
    return;
  }
  listbox.replaceChildren(
    ...picker.options.map((option, index) => {
      const node = el("li", { id: `claimant-option-${index}`, role: "option", "aria-selected": "false", class: "claimant-option" });
      if (option.claimant) {
        const c = option.claimant;
        node.append(el("span", { class: "claimant-name" }, c.name), " ", el("span", { class: "muted" }, kindName(c.kind)));
        const alias = (c.aliases || []).find((value) => name && value.toLowerCase().includes(name.toLowerCase()));
        if (alias && !c.name.toLowerCase().includes(name.toLowerCase())) {
          node.append(" ", el("span", { class: "muted" }, format(_("also known as %(alias)s"), { alias })));
        }
      } else {
        node.classList.add("claimant-create");
        node.append(format(_("Create new: %(name)s (%(kind)s)"), { name: option.create.name, kind: kindName(option.create.kind) }));
      }
      // mousedown would take the focus from the field before the click picks.
      node.addEventListener("mousedown", (event) => event.preventDefault());
      node.addEventListener("click", () => pick(index));
      return node;
    }),
  );
  listbox.hidden = false;
  input.setAttribute("aria-expanded", "true");
  setActive(0);
}

async function search() {
  const query = input.value;
  const asked = ++picker.asked;
  const response = await api("GET", `claimants/?q=${encodeURIComponent(query.trim())}&page_size=${SHOWN}`);
  if (asked !== picker.asked) return; // a later keystroke asked again
  if (!response.ok) {
    setStatus(status, errorText(response), "error");
    return;
  }
  showOptions(query, response.data.results || []);
}

function searchSoon() {
  clearTimeout(picker.timer);
  picker.timer = setTimeout(search, SEARCH_DELAY_MS);
}

async function pick(index) {
  const option = picker.options[index];
  const a = state.annotations.get(state.selectedId);
  if (!option || !a) return;
  closeList();
  let claimant = option.claimant;
  if (!claimant) {
    setStatus(status, _("Creating…"));
    const created = await api("POST", "claimants/", option.create);
    if (created.status === 409 && created.data && created.data.claimant) {
      claimant = { id: created.data.claimant, name: option.create.name, kind: option.create.kind };
    } else if (!created.ok) {
      setStatus(status, errorText(created), "error");
      return;
    } else {
      claimant = created.data;
    }
  }
  await save(a, claimant.id);
}

async function save(a, claimantId) {
  setStatus(status, _("Saving…"));
  const response = await api("PATCH", `annotations/${a.id}/`, { claimant: claimantId }, { "If-Match": `"${a.version}"` });
  if (!response.ok) {
    const message = response.status === 412 ? _("Someone else changed this annotation; reload the page to see their change.") : errorText(response);
    setStatus(status, message, "error");
    return;
  }
  const updated = merge(response.data);
  offers.delete(a.id);
  input.value = "";
  updateEntry(updated);
  picker.for = null;
  fillClaimant(updated);
  const message = updated.claimant ? format(_("Claimant: %(name)s"), { name: updated.claimant.name }) : _("Claimant removed.");
  setStatus(status, message, "ok");
  announce(message);
  if (!updated.claimant) input.focus();
}

function onKeyDown(event) {
  const open = !listbox.hidden && picker.options.length > 0;
  if (event.key === "ArrowDown" || event.key === "ArrowUp") {
    event.preventDefault();
    if (!open) {
      search();
      return;
    }
    const step = event.key === "ArrowDown" ? 1 : -1;
    setActive((picker.active + step + picker.options.length) % picker.options.length);
  } else if (event.key === "Enter") {
    event.preventDefault();
    if (open && picker.active >= 0) pick(picker.active);
    else if (input.value.trim()) search();
  } else if (event.key === "Escape") {
    if (!listbox.hidden) {
      event.preventDefault();
      event.stopPropagation();
      closeList();
    }
  } else if (event.key === "Tab") {
    closeList();
  }
}

export function wireClaimants() {
  if (!section || !input) return;
  input.addEventListener("input", () => {
    if (input.value.trim()) searchSoon();
    else closeList();
  });
  input.addEventListener("keydown", onKeyDown);
  input.addEventListener("blur", () => setTimeout(() => document.activeElement !== input && closeList(), 0));
  $("claimant-clear").addEventListener("click", () => {
    const a = state.annotations.get(state.selectedId);
    if (a) save(a, null);
  });
}
