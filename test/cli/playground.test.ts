import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

describe("grafo playground", () => {
  it("serves dist/playground on 127.0.0.1, cross-origin isolated, and prints its URL", async () => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", join(root, "src/cli/main.ts"), "playground", "--port", "0", "--no-open"],
      {
        cwd: root,
        env: { ...process.env, NO_COLOR: "1" },
      },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
          const m = /grafo playground: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on("exit", (code) => reject(new Error(`grafo playground exited with ${code}: ${out}`)));
      });
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(page.headers.get("cross-origin-opener-policy")).toBe("same-origin");
      expect(page.headers.get("cross-origin-embedder-policy")).toBe("require-corp");
      expect(await page.text()).toContain("<title>grafo playground</title>");
      const script = await fetch(new URL("playground.js", url));
      expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      // Nothing outside the folder: not the package's own files, not a missing page.
      expect((await fetch(new URL("nope.js", url))).status).toBe(404);
      expect((await fetch(`${url}..%2F..%2Fpackage.json`)).status).toBe(404);
    } finally {
      child.kill();
    }
  }, 120_000);
});
