// Media downloads are bounded in time: a file endpoint that never finishes does not block the chat.
import { afterEach, expect, test } from "bun:test";
import { say } from "../fakes/scripted-provider.ts";
import { OWNER, setup, type Harness } from "./harness.ts";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

test("a download that hangs times out: the user is told, the request is aborted, the chat keeps working", async () => {
  h = await setup({ script: [say.text("next answer")], channel: { mediaTimeoutMs: 300 } });
  h.fake.hangDownloads = true;
  h.fake.photo(OWNER, new Uint8Array(64), "look");
  await h.fake.waitFor(() => h!.fake.textsIn(OWNER).some((t) => t.includes("couldn't download")), 10_000, "the download-failed reply");
  await h.fake.waitFor(() => h!.fake.abortedCalls === 1, 5000, "the download to be aborted");
  expect(h.provider.calls).toBe(0);
  h.fake.hangDownloads = false;
  h.fake.dm(OWNER, "still there?");
  await h.fake.waitFor(() => h!.fake.textsIn(OWNER).includes("next answer"), 5000, "the next answer in the same chat");
  await h.channel.inbox.idle();
});
