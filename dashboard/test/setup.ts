// Preload of the dashboard's own `bun test` run (dashboard/bunfig.toml): a browser-like global
// scope (happy-dom) and a loader that compiles .vue files with @vue/compiler-sfc, as Vite does.
import { GlobalRegistrator } from "@happy-dom/global-registrator";
import { plugin } from "bun";
import { createHash } from "node:crypto";
import { compileScript, parse } from "@vue/compiler-sfc";

GlobalRegistrator.register({ url: "http://127.0.0.1:18789/", width: 1280, height: 800 });

plugin({
  name: "vue-sfc",
  setup(build) {
    build.onLoad({ filter: /\.vue$/ }, async ({ path }) => {
      const { descriptor, errors } = parse(await Bun.file(path).text(), { filename: path });
      if (errors.length) throw new Error(`${path}: ${errors.map((e) => e.message).join("; ")}`);
      if (!descriptor.scriptSetup) throw new Error(`${path}: the dashboard's components use <script setup>`);
      const id = createHash("sha256").update(path).digest("hex").slice(0, 8);
      const script = compileScript(descriptor, { id, inlineTemplate: true });
      return { contents: script.content, loader: "ts" };
    });
  },
});
