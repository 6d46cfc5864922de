// Drives a command through a real pseudo-terminal (util-linux `script`), the way a person answers
// prompts: wait until the screen shows a text, then type. Every wait is bounded and fails loudly
// with what the terminal showed so far.
import { stripAnsi } from "../../src/cli/output.ts";

export const KEY = { enter: "\r", down: "\x1b[B", ctrlC: "\x03", backspace: "\x7f" } as const;

export interface Pty {
  /** everything the terminal showed, ANSI codes removed */
  screen(): string;
  /** resolves once `text` appears after the previous `expect` match; throws after `ms` */
  expect(text: string, ms?: number): Promise<void>;
  type(keys: string): Promise<void>;
  exited: Promise<number>;
  kill(): void;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function spawnPty(cmd: string[], env: Record<string, string>, cwd: string): Pty {
  // a sized terminal (clack wraps to its width), then the command itself
  const inner = `stty cols 120 rows 50; exec ${cmd.map(quote).join(" ")}`;
  const proc = Bun.spawn(["script", "-q", "-e", "-c", inner, "/dev/null"], {
    cwd,
    env: { ...process.env, TERM: "xterm-256color", ...env },
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  let raw = "";
  let from = 0;
  const dec = new TextDecoder();
  void (async () => {
    for await (const c of proc.stdout) raw += dec.decode(c, { stream: true });
  })();
  void new Response(proc.stderr).text();
  const screen = () => stripAnsi(raw).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
  return {
    screen,
    async expect(text, ms = 20_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const at = screen().indexOf(text, from);
        if (at >= 0) {
          from = at + text.length;
          return;
        }
        if (Date.now() > deadline) throw new Error(`the terminal never showed ${JSON.stringify(text)} within ${ms} ms; it showed:\n${screen().slice(-3000)}`);
        await Bun.sleep(25);
      }
    },
    async type(keys) {
      proc.stdin.write(keys);
      await proc.stdin.flush();
    },
    exited: proc.exited,
    kill: () => proc.kill("SIGKILL"),
  };
}

/** The exit code, or a loud failure when the command does not end within `ms`. */
export async function exitOf(pty: Pty, ms = 20_000): Promise<number> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      pty.kill();
      reject(new Error(`the command did not exit within ${ms} ms; the terminal showed:\n${pty.screen().slice(-3000)}`));
    }, ms);
  });
  try {
    return await Promise.race([pty.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
