/**
 * The one way this page makes elements. Children are Nodes or strings, and strings always
 * become text nodes: data from tasks and models (inputs, outputs, tool arguments, diffs)
 * can never be parsed as HTML here. There is no innerHTML anywhere in the dashboard.
 */

export type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  /** Attributes (never `style` or `on…`: the CSP forbids inline styles and we bind events in code). */
  attrs?: Record<string, string | number | boolean | null | undefined>;
  on?: Partial<{ [K in keyof HTMLElementEventMap]: (event: HTMLElementEventMap[K]) => void }>;
}

function setAttributes(el: Element, attrs: Props["attrs"]): void {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    const lower = name.toLowerCase();
    if (lower === "style" || lower.startsWith("on")) throw new Error(`refusing to set attribute ${name}`);
    if (value === false || value === null || value === undefined) continue;
    el.setAttribute(name, value === true ? "" : String(value));
  }
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === "string" || typeof child === "number" ? text(child) : child);
  }
}

export function text(value: string | number): Text {
  return document.createTextNode(String(value));
}

/** An HTML element with text-only children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props | null = null,
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props?.class) el.className = props.class;
  setAttributes(el, props?.attrs);
  for (const [type, handler] of Object.entries(props?.on ?? {})) {
    el.addEventListener(type, handler as EventListener);
  }
  append(el, children);
  return el;
}

const SVG_NS = "http://www.w3.org/2000/svg";

/** An SVG element (charts); presentation attributes like fill and width are fine under the CSP. */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Props["attrs"] = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  setAttributes(el, attrs);
  append(el, children);
  return el;
}

/** Replaces an element's content. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren();
  append(parent, children);
}
