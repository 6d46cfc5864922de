/**
 * Plugin chat commands: `/name args` (also `/name@botname args`, as Telegram groups send them)
 * where `name` is a command a running plugin declared. Answered by the plugin (hook timeout
 * applies; a timeout kills and restarts it, as for hooks), without a model call, through the
 * runtime's command seam (agent/chat-commands.ts), which Telegram and `chat.send` both pass.
 * Anything else — not a slash, an unknown name — is `undefined`: the message goes on to the model.
 */
import type { ChatCommandHandler } from "../agent/chat-commands.ts";
import { errorMessage } from "../core/errors.ts";
import type { PluginHost } from "./host.ts";
import { CommandResultSchema } from "./protocol.ts";

const COMMAND = /^\/([a-zA-Z][a-zA-Z0-9_-]{0,63})(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/;

export function parseCommand(text: string): { name: string; args: string } | undefined {
  const m = COMMAND.exec(text.trim());
  return m ? { name: m[1]!, args: (m[2] ?? "").trim() } : undefined;
}

export function pluginCommands(host: Pick<PluginHost, "commandOwner">): ChatCommandHandler {
  return async (text, ctx) => {
    const cmd = parseCommand(text);
    const owner = cmd && host.commandOwner(cmd.name);
    if (!cmd || !owner) return undefined;
    try {
      const raw = await owner.call("command", { name: cmd.name, args: cmd.args, ctx: { channel: ctx.channel, sessionKey: ctx.sessionKey, ...(ctx.peer ? { peer: ctx.peer } : {}) } });
      const r = CommandResultSchema.safeParse(raw);
      if (!r.success) return { text: `/${cmd.name} (plugin ${owner.id}) returned no text; the plugin must return {text}` };
      return { text: r.data.text };
    } catch (err) {
      return { text: `/${cmd.name} (plugin ${owner.id}) failed: ${errorMessage(err)}` };
    }
  };
}
