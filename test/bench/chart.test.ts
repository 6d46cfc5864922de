// The soak's slope and chart: least squares recovers a known line; the chart is an SVG document
// drawn by Observable Plot with the title, one line per series and the fitted line.
import { expect, test } from "bun:test";
import { leastSquares, rssChartSvg } from "./chart.ts";

test("leastSquares: exact on a line, null on fewer than two points", () => {
  const s = [0, 10, 20, 30, 40].map((t) => ({ t, rssMiB: 80 + 0.5 * t + (t === 20 ? 1 : 0) - (t === 30 ? 1 : 0) }));
  const f = leastSquares(s)!;
  expect(f.b).toBeCloseTo(0.49, 6);
  expect(leastSquares([{ t: 0, rssMiB: 1 }])).toBeNull();
});

test("rssChartSvg: a standalone SVG with the title, the samples' line and the fit", () => {
  const s = [0, 10, 20].map((t) => ({ t, rssMiB: 100 + t }));
  const svg = rssChartSvg(s, "soak title", leastSquares(s));
  expect(svg.startsWith("<svg")).toBe(true);
  expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
  expect(svg).toContain("soak title");
  expect(svg.match(/aria-label="line"/g)?.length).toBe(2);
});
