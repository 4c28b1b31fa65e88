/**
 * Training output: a progress bar with loss, metrics and ETA on a terminal
 * (cli-progress, loaded on demand so browsers never import it), one line per
 * epoch otherwise, nothing with verbose 0.
 */

import type * as CliProgress from "cli-progress";
import { importNodeOnly } from "../core/node-only.js";
import type { Callback, Logs } from "./callbacks.js";

const fmtLogs = (logs: Logs): string =>
  Object.entries(logs)
    .map(([k, v]) => `${k} ${Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(2)}`)
    .join(" · ");

/** Where output goes, and whether it is a terminal that can redraw a bar. */
interface Sink {
  isTTY: boolean;
  write(s: string): void;
}

function defaultSink(): Sink {
  const stdout = (globalThis as { process?: { stdout?: { isTTY?: boolean; write(s: string): void } } })
    .process?.stdout;
  if (stdout) return { isTTY: stdout.isTTY === true, write: (s) => stdout.write(s) };
  return { isTTY: false, write: (s) => console.log(s.replace(/\n$/, "")) };
}

interface Bar {
  start(total: number, value: number, payload: object): void;
  update(value: number, payload: object): void;
  stop(): void;
}

/** The progress callback fit adds for verbose 1 (bar on a TTY) or 2 (one line per epoch). */
export function progress(verbose: 0 | 1 | 2, sink: Sink = defaultSink()): Callback {
  if (verbose === 0) return {};
  const useBar = verbose === 1 && sink.isTTY;
  let bar: Bar | undefined;
  let started = 0;
  let epochs = 0;
  return {
    async onTrainBegin(ctx) {
      epochs = ctx.epochs;
      if (!useBar) return;
      const { default: cliProgress } = await importNodeOnly<typeof CliProgress>(
        "cli-progress",
        "the progress bar",
      );
      bar = new cliProgress.SingleBar(
        {
          format: "Epoch {epoch} |{bar}| {value}/{total} · {logs} · ETA {eta_formatted}",
          hideCursor: true,
          clearOnComplete: true,
        },
        cliProgress.Presets.shades_classic,
      );
    },
    onEpochBegin(epoch, ctx) {
      started = Date.now();
      bar?.start(ctx.batchesPerEpoch ?? 0, 0, { epoch: `${epoch + 1}/${epochs}`, logs: "" });
    },
    onBatchEnd(batch, logs) {
      bar?.update(batch + 1, { logs: fmtLogs(logs) });
    },
    onEpochEnd(epoch, logs) {
      bar?.stop();
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      sink.write(`Epoch ${epoch + 1}/${epochs} · ${fmtLogs(logs)} · ${secs}s\n`);
    },
    onTrainEnd() {
      bar?.stop();
    },
  };
}
