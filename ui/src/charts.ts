/**
 * Small SVG charts drawn by our own code (no chart library: a few hundred bytes of logic,
 * nothing to load, and nothing that needs inline styles). Colours are Tailwind classes on
 * SVG elements, so dark mode follows. Each chart has a text label for screen readers.
 */
import { svg } from "./dom.js";

const W = 320;
const H = 140;
const LEFT = 38;
const RIGHT = 6;
const TOP = 8;
const BOTTOM = 18;

export interface ChartData {
  label: string;
  /** x labels (one per point). */
  labels: string[];
  /** null: nothing to measure in that bucket (drawn as a gap, not as zero). */
  values: Array<number | null>;
  format: (value: number) => string;
  /** Fixed top of the y axis (1 for shares); else the data's maximum. */
  max?: number;
}

function frame(label: string, max: number, format: (value: number) => string, labels: string[]) {
  const root = svg("svg", {
    viewBox: `0 0 ${W} ${H}`,
    role: "img",
    "aria-label": label,
    class: "h-auto w-full",
  });
  root.appendChild(svg("title", {}, label));
  const axis = "fill-slate-500 dark:fill-slate-400";
  const ticks: Array<[number, number]> = [
    [max, TOP],
    [max / 2, TOP + (H - TOP - BOTTOM) / 2],
    [0, H - BOTTOM],
  ];
  // A middle label that reads like its neighbours (counts up to 1) says nothing: leave it out.
  const labelled = ticks.filter(
    ([value], i) => i !== 1 || (format(value) !== format(max) && format(value) !== format(0)),
  );
  for (const [value, y] of labelled) {
    root.appendChild(
      svg("line", {
        x1: LEFT,
        x2: W - RIGHT,
        y1: y,
        y2: y,
        class: "stroke-slate-200 dark:stroke-slate-700",
        "stroke-width": 1,
      }),
    );
    root.appendChild(
      svg("text", { x: LEFT - 4, y: y + 3, "text-anchor": "end", "font-size": 9, class: axis }, format(value)),
    );
  }
  if (labels.length > 0) {
    root.appendChild(svg("text", { x: LEFT, y: H - 4, "font-size": 9, class: axis }, labels[0] ?? ""));
    if (labels.length > 1) {
      root.appendChild(
        svg("text", { x: W - RIGHT, y: H - 4, "text-anchor": "end", "font-size": 9, class: axis }, labels.at(-1) ?? ""),
      );
    }
  }
  return root;
}

function empty(label: string): SVGSVGElement {
  const root = frame(label, 1, () => "", []);
  root.appendChild(
    svg(
      "text",
      { x: W / 2, y: H / 2, "text-anchor": "middle", "font-size": 11, class: "fill-slate-500" },
      "No data in this window",
    ),
  );
  return root;
}

const x = (i: number, n: number) => LEFT + (W - LEFT - RIGHT) * (n === 1 ? 0.5 : i / (n - 1));
const y = (value: number, max: number) => H - BOTTOM - ((H - TOP - BOTTOM) * value) / (max || 1);

/** A line with a light area under it (cost, success rate over time). */
export function lineChart(data: ChartData, colour: { line: string; area: string; dot: string }): SVGSVGElement {
  const n = data.values.length;
  const known = data.values.filter((v): v is number => v !== null);
  if (known.length === 0) return empty(data.label);
  const max = data.max ?? (Math.max(...known, 0) || 1);
  const root = frame(data.label, max, data.format, data.labels);
  // One line per run of known values: a bucket with nothing to measure breaks the line.
  const runs: Array<Array<[number, number]>> = [[]];
  data.values.forEach((v, i) => {
    if (v === null) runs.push([]);
    else runs.at(-1)?.push([x(i, n), y(v, max)]);
  });
  for (const run of runs.filter((r) => r.length > 0)) {
    const points = run.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`);
    const first = run[0]?.[0] ?? LEFT;
    const last = run.at(-1)?.[0] ?? LEFT;
    root.appendChild(
      svg("path", { d: `M${first},${H - BOTTOM} L${points.join(" L")} L${last},${H - BOTTOM} Z`, class: colour.area }),
    );
    root.appendChild(
      svg("polyline", { points: points.join(" "), fill: "none", "stroke-width": 2, class: colour.line }),
    );
  }
  data.values.forEach((v, i) => {
    // Dots only where something happened, so a quiet month is a flat line, not a row of beads.
    if (v === null || (v === 0 && n > 14)) return;
    root.appendChild(
      svg(
        "circle",
        { cx: x(i, n), cy: y(v, max), r: 2.5, class: colour.dot },
        svg("title", {}, `${data.labels[i] ?? ""}: ${data.format(v)}`),
      ),
    );
  });
  return root;
}

export interface Stack {
  name: string;
  values: number[];
  /** Fill class. */
  fill: string;
}

/** Stacked bars per bucket; with `share` each bar is scaled to 100% (local vs cloud vs cached). */
export function stackedBars(
  label: string,
  labels: string[],
  stacks: Stack[],
  share: boolean,
  format: (v: number) => string,
) {
  const n = labels.length;
  if (n === 0) return empty(label);
  const totals = labels.map((_, i) => stacks.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const max = share ? 1 : Math.max(...totals, 1);
  const root = frame(label, max, format, labels);
  const slot = (W - LEFT - RIGHT) / n;
  const width = Math.max(1, Math.min(24, slot * 0.7));
  for (let i = 0; i < n; i++) {
    const total = totals[i] ?? 0;
    let base = 0;
    for (const stack of stacks) {
      const raw = stack.values[i] ?? 0;
      const value = share ? (total === 0 ? 0 : raw / total) : raw;
      if (value <= 0) continue;
      const top = y(base + value, max);
      const height = y(base, max) - top;
      root.appendChild(
        svg(
          "rect",
          { x: LEFT + slot * i + (slot - width) / 2, y: top, width, height: Math.max(0.5, height), class: stack.fill },
          svg("title", {}, `${labels[i] ?? ""} ${stack.name}: ${share ? `${Math.round(value * 100)}%` : format(raw)}`),
        ),
      );
      base += value;
    }
  }
  return root;
}
