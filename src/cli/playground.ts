/**
 * `grafo playground`: serves the playground page on 127.0.0.1 from a small
 * static server, cross-origin isolated (COOP same-origin + COEP
 * require-corp), so the page may use SharedArrayBuffer and wasm threads.
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { extname, join, normalize, sep } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { packageRoot } from "./checkout.js";
import { CliError } from "./errors.js";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

/** The built page: dist/playground/ (scripts/build-web.mjs builds it, on first use if missing). */
export function playgroundFolder(): string {
  const folder = join(packageRoot, "dist", "playground");
  if (existsSync(join(folder, "index.html"))) return folder;
  const build = join(packageRoot, "scripts", "build-web.mjs");
  if (!existsSync(build))
    throw new CliError(
      `the playground is not built (${folder} has no index.html) and this installation cannot build it`,
    );
  console.log("building the playground (once) …");
  const r = spawnSync(process.execPath, [build], { cwd: packageRoot, stdio: "inherit" });
  if (r.status !== 0 || !existsSync(join(folder, "index.html")))
    throw new CliError(`building the playground with ${build} failed`);
  return folder;
}

/** A static file server for `folder` on 127.0.0.1 (port 0: any free port); resolves once listening. */
export function serveFolder(folder: string, port: number): Promise<{ server: Server; url: string }> {
  const root = normalize(folder + sep);
  const server = createServer((req, res) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    } catch {
      res.writeHead(400).end("bad request");
      return;
    }
    let file = normalize(join(root, path));
    if (file.startsWith(root) && existsSync(file) && statSync(file).isDirectory())
      file = join(file, "index.html");
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[extname(file)] ?? "application/octet-stream",
      "cross-origin-opener-policy": "same-origin",
      "cross-origin-embedder-policy": "require-corp",
      "cross-origin-resource-policy": "same-origin",
      "cache-control": "no-cache",
    });
    res.end(readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.once("error", (e: NodeJS.ErrnoException) =>
      reject(
        e.code === "EADDRINUSE"
          ? new CliError(`port ${port} is in use; pass --port with another (0 picks a free one)`)
          : new CliError(`cannot serve on 127.0.0.1:${port}: ${e.message}`),
      ),
    );
    server.listen(port, "127.0.0.1", () => {
      const address = server.address();
      const actual = typeof address === "object" && address ? address.port : port;
      resolve({ server, url: `http://127.0.0.1:${actual}/` });
    });
  });
}

/** Opens a URL in the desktop's browser, if there is one; never fails the command. */
function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === "darwin"
      ? ["open", [url]]
      : process.platform === "win32"
        ? ["cmd", ["/c", "start", "", url]]
        : ["xdg-open", [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: "ignore", detached: true });
    child.on("error", () => {});
    child.unref();
  } catch {
    // No browser to open: the URL is printed anyway.
  }
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`expected a port number 0–65535, got "${value}"`);
  return n;
}

export function playgroundCommand(): Command {
  return new Command("playground")
    .description("serve the playground page (watch a network learn a decision boundary) on localhost")
    .option("--port <n>", "port to listen on (0: any free port)", port, 5173)
    .option("--no-open", "do not open a browser")
    .addHelpText("after", "\nExamples:\n  $ grafo playground\n  $ grafo playground --port 8080 --no-open")
    .action(async (options: { port: number; open: boolean }) => {
      const { url } = await serveFolder(playgroundFolder(), options.port);
      console.log(`grafo playground: ${url}  (Ctrl-C to stop)`);
      if (options.open) openBrowser(url);
      // The server keeps the process alive until it is interrupted.
      await new Promise<never>(() => {});
    });
}
