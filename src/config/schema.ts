/**
 * The config schema: the one source of truth for `~/.openclaw/openclaw.json`. Key names follow
 * OpenClaw where the feature exists, so an OpenClaw config loads. Every object is loose: keys we do
 * not know are kept (and written back) and reported as one warning each by `load.ts`, never an error.
 */
import { z } from "zod";

const port = z.number().int().min(1).max(65535);
const secretString = z.string().min(1);

export const SandboxLevelSchema = z.enum(["off", "standard", "strict"]);
export const SandboxLimitsSchema = z.looseObject({
  cpuSeconds: z.number().int().positive().default(30),
  memoryMb: z.number().int().positive().default(1024),
  fileSizeMb: z.number().int().positive().default(64),
  openFiles: z.number().int().positive().default(256),
  processes: z.number().int().positive().default(64),
  timeoutMs: z.number().int().positive().default(60_000),
  outputBytes: z.number().int().positive().default(1_048_576),
  // Optional (defaults in sandbox/exec-guard.ts) so code that builds a full limits object still types.
  /** MiB one command may write to host disk in all (default 1024); the command is killed past it */
  writeMb: z.number().int().positive().optional(),
  /** MiB of free space kept on a writable path's file system (default 256): exec is refused / killed under it */
  diskReserveMb: z.number().int().min(0).optional(),
});
export const SandboxConfigSchema = z.looseObject({
  level: SandboxLevelSchema.default("standard"),
  /** Paths the tools may write (and, at `strict`, the only user paths they may read). Default: the agent workspace. */
  allowedPaths: z.array(z.string().min(1)).optional(),
  networkAccess: z.boolean().default(false),
  limits: SandboxLimitsSchema.prefault({}),
  /** Path to the bwrap binary; default: found on PATH. */
  bwrapPath: z.string().optional(),
  /** Extra environment variables tools may see (names only; values from the gateway's env). */
  envAllow: z.array(z.string()).default([]),
});

/**
 * Sandbox settings as written under `agents.defaults.sandbox` / `agents.entries.<id>.sandbox`: no
 * defaults here (zod's `.partial()` keeps them, which made an agent entry reset every key it did
 * not set). `sandbox/config.ts` overlays defaults ← entry key by key, then applies the defaults.
 */
export const SandboxOverrideSchema = z.looseObject({
  level: SandboxLevelSchema.optional(),
  allowedPaths: z.array(z.string().min(1)).optional(),
  networkAccess: z.boolean().optional(),
  limits: z
    .looseObject({
      cpuSeconds: z.number().int().positive().optional(),
      memoryMb: z.number().int().positive().optional(),
      fileSizeMb: z.number().int().positive().optional(),
      openFiles: z.number().int().positive().optional(),
      processes: z.number().int().positive().optional(),
      timeoutMs: z.number().int().positive().optional(),
      outputBytes: z.number().int().positive().optional(),
      writeMb: z.number().int().positive().optional(),
      diskReserveMb: z.number().int().min(0).optional(),
    })
    .optional(),
  bwrapPath: z.string().optional(),
  envAllow: z.array(z.string()).optional(),
});

export const ModelRefSchema = z.string().regex(/^[A-Za-z0-9._-]+\/.+$/, "a model reference like anthropic/claude-sonnet-4-5");
export const ModelSelectionSchema = z.union([
  ModelRefSchema,
  z.looseObject({ primary: ModelRefSchema, fallbacks: z.array(ModelRefSchema).default([]) }),
]);

export const AgentSettingsSchema = z.looseObject({
  model: ModelSelectionSchema.optional(),
  workspace: z.string().optional(),
  sandbox: SandboxOverrideSchema.optional(),
  maxConcurrent: z.number().int().positive().optional(),
  /** the in-memory history of recent sessions (agent/history.ts): at most this many sessions and bytes (defaults 2,048 and 64 MiB), a session idle for idleMs dropped (default 10 minutes) */
  historyCache: z
    .looseObject({
      maxSessions: z.number().int().positive().optional(),
      maxBytes: z.number().int().positive().optional(),
      idleMs: z.number().int().positive().optional(),
    })
    .optional(),
  /** no defaults here (zod's `.partial()` keeps them, so an entry's `limits` reset every limit it did not set) */
  limits: z
    .looseObject({
      maxSteps: z.number().int().positive().optional(),
      maxWallMs: z.number().int().positive().optional(),
      maxOutputTokens: z.number().int().positive().optional(),
    })
    .optional(),
  /** Model context window in tokens (for compaction); default from the model catalogue or 200k. */
  contextWindow: z.number().int().positive().optional(),
  /** Tokens kept free for the reply when deciding to compact. */
  reserveTokens: z.number().int().positive().optional(),
  thinking: z.looseObject({ enabled: z.boolean().default(false), budgetTokens: z.number().int().min(1024).default(4096) }).optional(),
  systemPrompt: z.string().optional(),
  /** display name (OpenClaw's `agents.list[].name`) */
  name: z.string().optional(),
});

/** Agent ids appear in session keys (`agent:<id>:…`) and model names (`openclaw/<id>`). */
export const AGENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const AgentIdSchema = z.string().regex(AGENT_ID_PATTERN, "an agent id: 1-64 letters, digits, _ or -");

/** OpenClaw's older `agents.list` array: `{ id, name?, workspace?, model?, sandbox?, … }`. */
export const AgentListEntrySchema = AgentSettingsSchema.extend({ id: AgentIdSchema });

/**
 * `agents.entries.<id>` and OpenClaw's `agents.list[]` are two spellings of the same thing: the
 * parsed config holds every agent in `entries` (a list item becomes `entries[item.id]`). An id
 * defined twice, or an entries key that is not an agent id, is an error naming the key.
 */
export const AgentsSchema = z
  .looseObject({
    defaults: AgentSettingsSchema.prefault({}),
    entries: z.record(z.string(), AgentSettingsSchema).default({}),
    list: z.array(AgentListEntrySchema).optional(),
  })
  .transform((agents, ctx) => {
    for (const id of Object.keys(agents.entries)) {
      if (!AGENT_ID_PATTERN.test(id)) {
        ctx.addIssue({ code: "custom", path: ["entries", id], input: id, message: `"${id}" is not an agent id: use 1-64 letters, digits, _ or -` });
      }
    }
    const entries = { ...agents.entries };
    (agents.list ?? []).forEach(({ id, ...settings }, i) => {
      if (Object.hasOwn(entries, id)) {
        const other = Object.hasOwn(agents.entries, id) ? `agents.entries.${id}` : "an earlier agents.list item";
        ctx.addIssue({ code: "custom", path: ["list", i, "id"], input: id, message: `agent "${id}" is defined twice (here and in ${other}); keep one` });
      }
      entries[id] = settings;
    });
    return { ...agents, entries };
  });

export const ProviderApiSchema = z.enum(["anthropic-messages", "openai-completions"]);
export const ProviderConfigSchema = z.looseObject({
  baseUrl: z.string().url().optional(),
  apiKey: secretString.optional(),
  api: ProviderApiSchema.optional(),
  timeoutMs: z.number().int().positive().optional(),
  maxRetries: z.number().int().min(0).max(10).optional(),
  headers: z.record(z.string(), z.string()).optional(),
});

export const DmPolicySchema = z.enum(["pairing", "allowlist", "open", "disabled"]);
export const GroupPolicySchema = z.enum(["allowlist", "open", "disabled"]);
export const StreamingModeSchema = z.enum(["off", "partial", "block", "progress"]);
const chatId = z.union([z.number().int(), z.string().min(1)]);

export const TelegramGroupSchema = z.looseObject({
  enabled: z.boolean().optional(),
  requireMention: z.boolean().optional(),
  allowFrom: z.array(chatId).optional(),
});

export const TelegramConfigSchema = z.looseObject({
  enabled: z.boolean().optional(),
  botToken: secretString.optional(),
  tokenFile: z.string().optional(),
  apiRoot: z.string().url().optional(),
  dmPolicy: DmPolicySchema.default("pairing"),
  allowFrom: z.array(chatId).default([]),
  groupPolicy: GroupPolicySchema.default("allowlist"),
  /** Group allowlist: chat id (or "*") → per-group settings. */
  groups: z.record(z.string(), TelegramGroupSchema).default({}),
  groupAllowFrom: z.array(chatId).optional(),
  requireMention: z.boolean().default(true),
  mentionPatterns: z.array(z.string()).default([]),
  streaming: z.union([StreamingModeSchema, z.looseObject({ mode: StreamingModeSchema })]).default("partial"),
  textChunkLimit: z.number().int().min(100).max(4096).default(4000),
  mediaMaxMb: z.number().positive().default(20),
  webhookUrl: z.string().url().optional(),
  webhookSecret: secretString.optional(),
  webhookPath: z.string().startsWith("/").default("/telegram-webhook"),
  // Our own keys (not in OpenClaw):
  /** which agent answers (default "main") */
  agentId: z.string().min(1).max(64).optional(),
  /** minimum gap between message edits in one chat, ms (default 1000) */
  editThrottleMs: z.number().int().min(0).max(60_000).optional(),
  /** getUpdates long-poll timeout, s (default 30) */
  pollTimeoutSeconds: z.number().int().min(0).max(50).optional(),
  /** restart a poll that has not completed after this long, ms (default 120000) */
  watchdogMs: z.number().int().min(100).optional(),
});

export const GatewayConfigSchema = z.looseObject({
  mode: z.string().optional(),
  port: port.default(18789),
  /** `loopback` (127.0.0.1, default), `lan` (0.0.0.0), or an explicit address. */
  bind: z.string().min(1).default("loopback"),
  auth: z
    .looseObject({
      mode: z.enum(["none", "token", "password"]).default("token"),
      token: secretString.optional(),
      password: secretString.optional(),
      /** failed-auth throttling (core/ratelimit.ts; OpenClaw's key names plus ours), mapped in app/auth-rate-limit.ts */
      rateLimit: z
        .looseObject({
          maxAttempts: z.number().int().positive().optional(),
          windowMs: z.number().int().positive().optional(),
          lockoutMs: z.number().int().positive().optional(),
          /** accepted for OpenClaw configs; never honoured (a web page can reach loopback) */
          exemptLoopback: z.boolean().optional(),
          maxEntries: z.number().int().positive().optional(),
          globalFailures: z.number().int().positive().optional(),
          globalWindowMs: z.number().int().positive().optional(),
        })
        .optional(),
    })
    .prefault({}),
  allowedOrigins: z.array(z.string()).default([]),
  limits: z
    .looseObject({
      maxBodyBytes: z.number().int().positive().default(1_048_576),
      maxFrameBytes: z.number().int().positive().default(1_048_576),
      maxJsonDepth: z.number().int().positive().default(64),
      maxBatch: z.number().int().positive().default(50),
      maxConnections: z.number().int().positive().default(1024),
      maxRunsPerSession: z.number().int().positive().default(8),
      /** sessions one WebSocket may subscribe to (each costs a hub entry until the socket closes) */
      maxSubscriptionsPerConnection: z.number().int().positive().default(1000),
      maxBufferedBytes: z.number().int().positive().default(4_194_304),
      shutdownGraceMs: z.number().int().min(0).default(10_000),
    })
    .prefault({}),
});

/**
 * Where sessions live (docs/postgres.md): the embedded SQLite file (default) or a PostgreSQL database
 * shared by several gateway nodes. `url` (or OPENCLAW_DATABASE_URL) may carry a password: it is
 * masked by `redact()` wherever the URL is printed.
 */
export const StorageConfigSchema = z
  .looseObject({
    driver: z.enum(["sqlite", "postgres"]).default("sqlite"),
    /** postgres://user:password@host:5432/db (or ?host=/socket/dir); required for driver "postgres" */
    url: z
      .string()
      .min(1)
      .refine((u) => /^postgres(ql)?:\/\//i.test(u), { message: "expected a postgres:// or postgresql:// URL, such as postgres://openclaw@db.example:5432/openclaw" })
      .optional(),
    /** the PostgreSQL schema OpenClaw's tables live in */
    schema: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,62}$/, "expected a lower-case SQL identifier (letters, digits, _; at most 63), such as openclaw")
      .default("openclaw"),
    /** several nodes on one PostgreSQL database (docs/cluster-leases.md); ignored by SQLite */
    cluster: z
      .looseObject({
        /** a node's leases (session runs, the Telegram poller) are valid while its heart-beat is younger than this */
        leaseTtlMs: z.number().int().min(500, "at least 500 ms").max(600_000, "at most 600000 ms (10 minutes)").default(15_000),
        /** how often a node writes its heart-beat and polls for leases; must be below leaseTtlMs */
        heartbeatMs: z.number().int().min(100, "at least 100 ms").max(60_000, "at most 60000 ms").default(5_000),
      })
      .refine((c) => c.heartbeatMs < c.leaseTtlMs, { message: "storage.cluster.heartbeatMs must be below leaseTtlMs (e.g. 5000 and 15000)", path: ["heartbeatMs"] })
      .optional(), // absent: the defaults (store/open.ts openCluster)
  })
  .refine((s) => s.driver !== "postgres" || s.url !== undefined, {
    message: 'driver "postgres" needs a database URL: set storage.url or OPENCLAW_DATABASE_URL (postgres://user:password@host:5432/db)',
    path: ["url"],
  });

export const ConfigSchema = z.looseObject({
  $schema: z.string().optional(),
  meta: z.looseObject({}).optional(),
  gateway: GatewayConfigSchema.prefault({}),
  agents: AgentsSchema.prefault({}),
  models: z
    .looseObject({ providers: z.record(z.string(), ProviderConfigSchema).default({}) })
    .prefault({}),
  session: z
    .looseObject({
      dmScope: z.enum(["main", "per-peer", "per-channel-peer", "per-account-channel-peer"]).default("main"),
      mainKey: z.string().min(1).default("main"),
    })
    .prefault({}),
  channels: z.looseObject({ telegram: TelegramConfigSchema.optional() }).prefault({}),
  tools: z
    .looseObject({
      allow: z.array(z.string()).optional(),
      deny: z.array(z.string()).default([]),
      exec: z
        .looseObject({
          network: z
            .looseObject({
              /** Egress allowlist (host names, `*.example.com`, optional `:port`) for sandboxes with networkAccess; see docs/sandbox.md. */
              allow: z.array(z.string().min(1)).default([]),
            })
            .prefault({}),
          /** MiB the agent workspace may take on disk; exec is refused at it and a command killed past it (default: no cap) */
          maxWorkspaceMb: z.number().int().positive().optional(),
        })
        .prefault({}),
      web: z
        .looseObject({
          fetch: z
            .looseObject({
              maxBytes: z.number().int().positive().default(2_000_000),
              allowPrivateNetwork: z.boolean().default(false),
            })
            .prefault({}),
        })
        .prefault({}),
    })
    .prefault({}),
  plugins: z
    .looseObject({
      enabled: z.boolean().default(true),
      entries: z
        .record(
          z.string(),
          z.looseObject({
            enabled: z.boolean().optional(),
            config: z.unknown().optional(),
            /** the plugin's sandbox (docs/plugins.md): network on unless false */
            sandbox: z.strictObject({ network: z.boolean().default(true) }).prefault({}),
          }),
        )
        .default({}),
      load: z.looseObject({ paths: z.array(z.string()).default([]) }).prefault({}),
      /** plugin ids allowed to load (empty or absent: every discovered plugin not denied) */
      allow: z.array(z.string()).default([]),
      /** plugin ids never loaded; deny wins over allow */
      deny: z.array(z.string()).default([]),
      /** per-call timeout of a plugin hook or command (tools use their own timeout) */
      timeoutMs: z.number().int().positive().max(600_000).default(5000),
    })
    .prefault({}),
  storage: StorageConfigSchema.prefault({}),
  logging: z
    .looseObject({ level: z.enum(["silent", "error", "warn", "info", "debug", "trace"]).default("info") })
    .prefault({}),
  /** `openclaw update`: where the signed release manifest lives; `check` lets `status` ask (off: no network call) */
  update: z
    .looseObject({
      url: z.url({ protocol: /^https?$/, error: "an http(s) base URL of a release (the directory holding manifest.json)" }).optional(),
      check: z.boolean().default(false),
    })
    .prefault({}),
});

export type Config = z.infer<typeof ConfigSchema>;
export type ConfigInput = z.input<typeof ConfigSchema>;
export type SandboxConfig = z.infer<typeof SandboxConfigSchema>;
export type SandboxOverride = z.infer<typeof SandboxOverrideSchema>;
export type SandboxLevel = z.infer<typeof SandboxLevelSchema>;
export type SandboxLimits = z.infer<typeof SandboxLimitsSchema>;
export type AgentSettings = z.infer<typeof AgentSettingsSchema>;
export type ProviderConfig = z.infer<typeof ProviderConfigSchema>;
export type TelegramConfig = z.infer<typeof TelegramConfigSchema>;
export type GatewayConfig = z.infer<typeof GatewayConfigSchema>;
export type StorageConfig = z.infer<typeof StorageConfigSchema>;
export type ModelSelection = z.infer<typeof ModelSelectionSchema>;
