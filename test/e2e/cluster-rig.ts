// The multi-node rig of the cluster e2e tests (issue 16): one real PostgreSQL (test/support/postgres.ts),
// one fake Anthropic API (cluster-fake.ts: records when each model request starts and ends, and which
// node sent it), and N compiled gateways (`dist/openclaw gateway run`), each with its own state dir and
// port 0, all on one database and schema. Helpers kill a node with SIGKILL (by pid), restart it on the
// same state dir, connect authenticated WebSocket clients to any node, and read the event log straight
// from the database for the acknowledged-events check (cluster-log.ts).
import { SQL } from "bun";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TOKEN, type WsClient } from "../gateway/helpers.ts";
import { spawnGateway, type GatewayChild } from "../gateway/process.ts";
import { type PgServer, startPostgres } from "../support/postgres.ts";
import { connectAuthed, stopGateway } from "./binary-gateway.ts";
import { startClusterFake, type ClusterFake } from "./cluster-fake.ts";
import { readLog, type LogRow } from "./cluster-log.ts";
import { BUILT, freshBinary } from "./fresh-binary.ts";

/** Put in storage.url (trust auth ignores it): no error text or log line may ever show it. */
export const DB_PASSWORD = "pg-secret-" + "p".repeat(12);

export interface ClusterOptions {
  nodes: number;
  /** the PostgreSQL schema (default `cluster`) */
  schema?: string;
  /** storage.cluster.leaseTtlMs (short, so a kill -9 is noticed quickly) */
  leaseTtlMs?: number;
  /** storage.cluster.heartbeatMs */
  heartbeatMs?: number;
  /** more config for a node, by its name (merged at the top level: e.g. `channels`) */
  extra?: (name: string) => Record<string, unknown>;
  /** a server another rig of the file started (this rig then leaves it running at stop) */
  pg?: PgServer | null;
}

export class ClusterNode {
  gw: GatewayChild | null = null;
  /** every start's stderr, oldest first (the current one last) */
  readonly logs: Array<() => string> = [];
  constructor(
    readonly name: string,
    readonly stateDir: string,
    readonly configPath: string,
  ) {}

  get alive(): boolean {
    return this.gw !== null;
  }

  get pid(): number {
    if (!this.gw) throw new Error(`node ${this.name} is not running`);
    return this.gw.proc.pid;
  }

  /** Everything every start of this node wrote to stderr. */
  stderr(): string {
    return this.logs.map((l) => l()).join("\n");
  }
}

export class ClusterRig {
  readonly nodes: ClusterNode[] = [];
  readonly clients = new Set<WsClient>();
  #sql: SQL | null = null;

  private constructor(
    readonly pg: PgServer,
    readonly fake: ClusterFake,
    readonly schema: string,
    readonly opts: Required<ClusterOptions>,
  ) {}

  /** The database, the fake and `opts.nodes` gateways, started one after another. */
  static async start(opts: ClusterOptions): Promise<ClusterRig> {
    freshBinary();
    const pg = opts.pg ?? startPostgres();
    const fake = await startClusterFake();
    const full: Required<ClusterOptions> = { schema: "cluster", leaseTtlMs: 2000, heartbeatMs: 500, extra: () => ({}), ...opts, pg: opts.pg ?? null };
    const rig = new ClusterRig(pg, fake, full.schema, full);
    try {
      for (let i = 0; i < opts.nodes; i++) await rig.addNode();
    } catch (err) {
      await rig.stop();
      throw err;
    }
    return rig;
  }

  /** The database URL with a (never needed) password, unix socket. */
  get dbUrl(): string {
    return this.pg.url.replace("postgres://postgres@", `postgres://postgres:${DB_PASSWORD}@`);
  }

  config(name: string): Record<string, unknown> {
    return {
      gateway: { auth: { token: TOKEN } },
      // the path names the node: the fake records which node sent each model request
      models: { providers: { anthropic: { baseUrl: `${this.fake.url}/${name}`, apiKey: "sk-ant-e2e-" + "k".repeat(24) } } },
      agents: { defaults: { model: "anthropic/claude-e2e", sandbox: { level: "standard" } } },
      storage: {
        driver: "postgres",
        url: this.dbUrl,
        schema: this.schema,
        cluster: { leaseTtlMs: this.opts.leaseTtlMs, heartbeatMs: this.opts.heartbeatMs },
      },
      ...this.opts.extra(name),
    };
  }

  /** A new node (own state dir and config), started. */
  async addNode(): Promise<ClusterNode> {
    const name = `n${this.nodes.length + 1}`;
    const stateDir = mkdtempSync(join(tmpdir(), `cluster-${name}-`));
    const configPath = join(stateDir, "openclaw.json");
    writeFileSync(configPath, JSON.stringify(this.config(name)), { mode: 0o600 });
    const node = new ClusterNode(name, stateDir, configPath);
    this.nodes.push(node);
    await this.restart(node);
    return node;
  }

  node(i: number): ClusterNode {
    const n = this.nodes[i];
    if (!n) throw new Error(`no node ${i} (the rig has ${this.nodes.length})`);
    return n;
  }

  alive(): ClusterNode[] {
    return this.nodes.filter((n) => n.alive);
  }

  /** Starts the node on its own state dir (after a kill: the stale lock is taken over). */
  async restart(node: ClusterNode): Promise<void> {
    if (node.gw) throw new Error(`node ${node.name} is already running`);
    const spawned = spawnGateway({ stateDir: node.stateDir, configPath: node.configPath, cmd: [BUILT] });
    node.logs.push(spawned.stderr);
    node.gw = await spawned.started;
  }

  /** kill -9 by pid; resolves once the process is gone. */
  async kill(node: ClusterNode): Promise<void> {
    const gw = node.gw;
    if (!gw) throw new Error(`node ${node.name} is not running`);
    node.gw = null;
    process.kill(gw.proc.pid, "SIGKILL");
    await gw.exited;
  }

  /** SIGTERM; the exit code (0 expected). */
  async stopNode(node: ClusterNode): Promise<number> {
    const gw = node.gw;
    if (!gw) throw new Error(`node ${node.name} is not running`);
    node.gw = null;
    return stopGateway(gw);
  }

  /** An authenticated WebSocket to `node`, closed by stop(). */
  async connect(node: ClusterNode): Promise<WsClient> {
    if (!node.gw) throw new Error(`node ${node.name} is not running`);
    const ws = await connectAuthed(node.gw);
    this.clients.add(ws);
    return ws;
  }

  /** A direct client of the database (not through any node). */
  get sql(): SQL {
    this.#sql ??= new SQL(this.pg.url);
    return this.#sql;
  }

  /** The event log in the database, by session then seq. */
  log(sessionKey?: string): Promise<LogRow[]> {
    return readLog(this.sql, this.schema, sessionKey);
  }

  /** Closes the database client (before a database restart, so it reconnects afterwards). */
  async dropSql(): Promise<void> {
    const s = this.#sql;
    this.#sql = null;
    await s?.close().catch(() => {});
  }

  /** Everything down: clients, nodes (SIGKILL if SIGTERM hangs), the fake, the database. */
  async stop(): Promise<void> {
    for (const c of this.clients) c.close();
    this.clients.clear();
    for (const n of this.nodes) {
      if (!n.gw) continue;
      const gw = n.gw;
      n.gw = null;
      try {
        await stopGateway(gw, 15_000);
      } catch {
        // stopGateway already sent SIGKILL; its error names the stderr, which a failed test shows anyway
      }
    }
    await this.dropSql();
    await this.fake.stop();
    if (!this.opts.pg) this.pg.stop();
  }
}
