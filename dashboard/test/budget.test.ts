import { describe, expect, test } from "bun:test";
import { BUDGET, checkBudgets, initialScripts } from "../../build/dashboard.mjs";

const HTML = `<!doctype html><html><head>
<script type="module" crossorigin src="/assets/index-AbC.js"></script>
<link rel="modulepreload" crossorigin href="/assets/vendor-XyZ.js">
<link rel="stylesheet" crossorigin href="/assets/index-Q.css">
</head><body><div id="app"></div></body></html>`;

const sizes = (entries: [string, number][]) => new Map(entries.map(([f, gzip]) => [f, { raw: gzip * 3, gzip, br: gzip }]));

describe("dashboard build budgets", () => {
  test("initial JS is the entry script plus what index.html preloads (not CSS, not lazy chunks)", () => {
    expect(initialScripts(HTML)).toEqual(["assets/index-AbC.js", "assets/vendor-XyZ.js"]);
  });

  test("within budget: no problem", () => {
    const r = checkBudgets(sizes([["assets/index-AbC.js", 60_000], ["assets/vendor-XyZ.js", 20_000], ["assets/Lazy-1.js", 50_000], ["assets/index-Q.css", 4_000], ["index.html", 300]]), HTML);
    expect(r.initial).toBe(80_000);
    expect(r.total).toBe(134_300);
    expect(r.problems).toEqual([]);
  });

  test("over either budget: a failure naming the figure and what to do", () => {
    const initial = checkBudgets(sizes([["assets/index-AbC.js", BUDGET.initialJsGzip + 1]]), HTML);
    expect(initial.problems).toHaveLength(1);
    expect(initial.problems[0]).toContain("initial JS");
    expect(initial.problems[0]).toContain("lazily");
    const total = checkBudgets(sizes([["assets/index-AbC.js", 1000], ["assets/A.js", BUDGET.totalGzip]]), HTML);
    expect(total.problems).toHaveLength(1);
    expect(total.problems[0]).toContain("whole app");
  });
});
