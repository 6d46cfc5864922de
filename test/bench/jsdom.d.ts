// The part of jsdom (no bundled types) the bench chart uses (dashboard/test/jsdom.d.ts is the dashboard's copy).
declare module "jsdom" {
  export class JSDOM {
    constructor(html?: string, options?: Record<string, unknown>);
    readonly window: Window & typeof globalThis;
  }
}
