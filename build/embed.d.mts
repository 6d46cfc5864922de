// Types for build/embed.mjs (plain JS so Node's postinstall can run it).
export declare function generate(): { migrations: number; assets: number; changed: boolean };
