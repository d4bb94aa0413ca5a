// Offsets: the API stores half-open [start, end) offsets in Unicode code points. The DOM
// counts UTF-16 code units, which differ once the text holds characters outside the Basic
// Multilingual Plane (emoji, 𝔘). `Offsets` converts both ways; `selectionSpan` turns the
// browser's selection into a trimmed UTF-16 span of the text container (which uses
// white-space: pre-wrap and holds nothing but the text, so its textContent is the text).

export class Offsets {
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

const nodeLength = (node) => (node.nodeType === Node.TEXT_NODE ? node.length : node.textContent.length);

// UTF-16 offset of a DOM boundary point inside `root` (clamped to it). The root's children
// are text nodes and <mark>s holding one text node, so the offset is the length of the
// children before the point: no string of the text before it is built.
export function boundaryOffset(root, node, offset, length) {
  if (node === root || root.contains(node)) {
    let child = node;
    let within = 0;
    if (node === root) {
      child = root.childNodes[offset] || null;
    } else {
      while (child.parentNode !== root) child = child.parentNode;
      const range = document.createRange();
      range.setStart(child, 0);
      range.setEnd(node, offset);
      within = range.toString().length;
    }
    let total = within;
    for (let sibling = child ? child.previousSibling : root.lastChild; sibling; sibling = sibling.previousSibling) {
      total += nodeLength(sibling);
    }
    return total;
  }
  const position = root.compareDocumentPosition(node);
  return position & Node.DOCUMENT_POSITION_PRECEDING ? 0 : length;
}

// The current selection as a trimmed UTF-16 span {start, end, range} of `root`, or null.
export function selectionSpan(root, text) {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || !selection.rangeCount) return null;
  const range = selection.getRangeAt(0);
  if (!range.intersectsNode(root)) return null;
  let start = boundaryOffset(root, range.startContainer, range.startOffset, text.length);
  let end = boundaryOffset(root, range.endContainer, range.endOffset, text.length);
  while (start < end && /\s/.test(text[start])) start++;
  while (end > start && /\s/.test(text[end - 1])) end--;
  if (start >= end) return null;
  return { start, end, range };
}

// The DOM boundary point at UTF-16 offset `at` of `root` (clamped to the text): inside the
// text node that holds the character there, or at the very end.
export function boundaryAt(root, at) {
  let position = 0;
  let last = null;
  for (let node = root.firstChild; node; node = node.nextSibling) {
    const length = nodeLength(node);
    const text = node.nodeType === Node.TEXT_NODE ? node : node.firstChild;
    if (text && at < position + length) return { node: text, offset: Math.max(0, at - position) };
    if (text) last = { node: text, offset: text.length };
    position += length;
  }
  return last || { node: root, offset: root.childNodes.length };
}

// Select the UTF-16 span [start, end) of `root` again (after its nodes were redrawn).
export function selectOffsets(root, start, end) {
  const range = document.createRange();
  let position = 0;
  let started = false;
  for (let node = root.firstChild; node; node = node.nextSibling) {
    const length = nodeLength(node);
    const text = node.nodeType === Node.TEXT_NODE ? node : node.firstChild;
    if (!started && start < position + length) {
      range.setStart(text, start - position);
      started = true;
    }
    if (started && end <= position + length) {
      range.setEnd(text, end - position);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      return;
    }
    position += length;
  }
}
