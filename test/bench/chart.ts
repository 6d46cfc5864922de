/**
 * An SVG line chart of RSS samples, drawn by Observable Plot (@observablehq/plot) in a jsdom document
 * (no browser): the soak's chart (docs/decisions.md says why this library). Returns the SVG text.
 */
import * as Plot from "@observablehq/plot";
import { JSDOM } from "jsdom";

export interface RssSample {
  /** seconds since the soak began */
  t: number;
  rssMiB: number;
}

export function rssChartSvg(samples: readonly RssSample[], title: string, slope: { a: number; b: number } | null): string {
  const { window } = new JSDOM("");
  const document = window.document;
  const fit = slope && samples.length > 1 ? [samples[0]!, samples[samples.length - 1]!].map((s) => ({ t: s.t, rssMiB: slope.a + slope.b * s.t })) : [];
  const chart = Plot.plot({
    document,
    width: 720,
    height: 320,
    marginLeft: 56,
    marginTop: 36,
    x: { label: "time (s)" },
    y: { label: "RSS (MiB)", zero: true, grid: true },
    marks: [
      Plot.text([title], { frameAnchor: "top-left", dy: -24, fontSize: 12, fontWeight: "bold" }),
      Plot.line(samples, { x: "t", y: "rssMiB", stroke: "steelblue" }),
      Plot.dot(samples, { x: "t", y: "rssMiB", r: 1.5, fill: "steelblue" }),
      ...(fit.length ? [Plot.line(fit, { x: "t", y: "rssMiB", stroke: "firebrick", strokeDasharray: "4,3" })] : []),
    ],
  });
  // with no title/caption/legend option Plot returns the <svg> itself
  chart.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  return chart.outerHTML;
}

/** Least-squares line rss = a + b·t (b in MiB per second); null with fewer than two samples. */
export function leastSquares(samples: readonly RssSample[]): { a: number; b: number } | null {
  const n = samples.length;
  if (n < 2) return null;
  let sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (const { t, rssMiB } of samples) {
    sx += t;
    sy += rssMiB;
    sxx += t * t;
    sxy += t * rssMiB;
  }
  const d = n * sxx - sx * sx;
  if (d === 0) return null;
  const b = (n * sxy - sx * sy) / d;
  return { a: (sy - b * sx) / n, b };
}
