// Types for build/dashboard.mjs (plain JS so Node's postinstall can run it).
export declare const BUDGET: { initialJsGzip: number; totalGzip: number };
export declare function isStale(): boolean;
export declare function initialScripts(html: string): string[];
export declare function checkBudgets(
  sizes: Map<string, { raw: number; gzip: number; br: number | null }>,
  html: string,
): { initial: number; total: number; problems: string[] };
export declare function buildDashboard(opts?: { ifStale?: boolean; outDir?: string; embed?: boolean }): Promise<{ built: boolean; initial?: number; total?: number; problems?: string[] }>;
