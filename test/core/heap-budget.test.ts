// core/heap-budget.ts: which commands re-execute with a GC budget, with which arguments and environment.
import { expect, test } from "bun:test";
import { heapBudgetExec, heapBudgetProblem, isGatewayRun, JSC_RAM_ENV } from "../../src/core/heap-budget.ts";

const BIN = "/usr/local/bin/openclaw";
const compiled = (...args: string[]) => ["bun", "/$bunfs/root/openclaw", ...args];

test("only `gateway run` is a long-lived gateway", () => {
  expect(isGatewayRun(compiled("gateway", "run", "--port", "1"))).toBe(true);
  expect(isGatewayRun(compiled("gateway", "status"))).toBe(false);
  expect(isGatewayRun(compiled("status"))).toBe(false);
  expect(heapBudgetExec(compiled("doctor"), {}, BIN)).toBeNull();
});

test("the compiled binary re-executes itself with its own arguments and 128 MiB by default", () => {
  const exec = heapBudgetExec(compiled("gateway", "run", "--port", "0"), { HOME: "/h" }, BIN)!;
  expect(exec.path).toBe(BIN);
  expect(exec.args).toEqual([BIN, "gateway", "run", "--port", "0"]);
  expect(exec.env).toEqual({ HOME: "/h", [JSC_RAM_ENV]: String(128 * 1024 * 1024) });
});

test("from source (bun src/main.ts …) the script path is kept", () => {
  const exec = heapBudgetExec(["/x/bun", "/repo/src/main.ts", "gateway", "run"], {}, "/x/bun")!;
  expect(exec.args).toEqual(["/x/bun", "/repo/src/main.ts", "gateway", "run"]);
});

test("OPENCLAW_HEAP_BUDGET_MB sets the figure; 0 or a bad value means JSC's own sizing; an explicit JSC value wins", () => {
  expect(heapBudgetExec(compiled("gateway", "run"), { OPENCLAW_HEAP_BUDGET_MB: "512" }, BIN)!.env[JSC_RAM_ENV]).toBe(String(512 * 1024 * 1024));
  expect(heapBudgetExec(compiled("gateway", "run"), { OPENCLAW_HEAP_BUDGET_MB: "0" }, BIN)).toBeNull();
  expect(heapBudgetExec(compiled("gateway", "run"), { OPENCLAW_HEAP_BUDGET_MB: "lots" }, BIN)).toBeNull();
  expect(heapBudgetExec(compiled("gateway", "run"), { [JSC_RAM_ENV]: "999" }, BIN)).toBeNull(); // already set: left alone (and no loop)
  expect(heapBudgetProblem({ OPENCLAW_HEAP_BUDGET_MB: "lots" })).toContain("OPENCLAW_HEAP_BUDGET_MB");
  expect(heapBudgetProblem({ OPENCLAW_HEAP_BUDGET_MB: "0" })).toBeNull();
  expect(heapBudgetProblem({})).toBeNull();
});
