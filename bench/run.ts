/**
 * The peer benchmark: `npm run bench` (installs the peers in bench/ first).
 *
 * Runs six workloads on grafo (every available backend, eager and compiled)
 * and on each peer (TF.js cpu and wasm, jax-js eager and jit, onnxruntime), in
 * one run, each implementation in a fresh process of its own; checks that their
 * results agree; prints a table of medians and
 * of grafo's speed ratio against each peer; writes the same to
 * bench/results.md with the machine it ran on.
 *
 * Flags: `--quick` (one timed call each, nothing written: a smoke test),
 * `--only=a,b` (rows whose name contains one of the words; grafo's reference
 * row is always kept), `--workloads=a,b` (only these workload ids; nothing
 * written), `--rounds=N` (default 3, 1 with --quick), `--no-write`. A full run
 * also writes bench/results.svg, the plot bench/README.md shows.
 *
 * Rounds: every implementation is measured N times, each time in a fresh
 * process, the rounds one after another; a figure is the lowest of its rounds'
 * medians. On a shared virtual machine a whole process can land in a slow
 * spell (its two vCPUs on one busy core for seconds: two-thread rows then run
 * at one-thread speed, onnxruntime's as much as grafo's), and one round per
 * implementation made the tables a lottery; the same rule applies to every row.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { grafoImplementations } from "./impl-grafo.js";
import { jaxImplementations } from "./impl-jax.js";
import { ortImplementations } from "./impl-ort.js";
import { tfjsImplementations } from "./impl-tfjs.js";
import { type MeasureOptions, measure, relativeError } from "./measure.js";
import { reason } from "./peer.js";
import { plotSvg } from "./plot.js";
import { formatFigure, renderMarkdown, renderText, type Table } from "./table.js";
import {
  type Implementation,
  isNotApplicable,
  makeInputs,
  WORKLOAD_IDS,
  WORKLOADS,
  type Workload,
  type WorkloadId,
} from "./workloads.js";

type Cell = { ok: true; ms: number; reps: number } | { ok: false; why: string };

interface Options {
  quick: boolean;
  write: boolean;
  only: string[] | undefined;
  /** The workloads to run, in table order. */
  ids: WorkloadId[];
  /** Times each implementation is measured, each in a fresh process; the lowest median counts. */
  rounds: number;
  /** Child side: workloads not to measure again (timed once in an earlier round). */
  skip: string[];
}

function parseOptions(argv: readonly string[]): Options {
  const quick = argv.includes("--quick");
  const list = (flag: string) =>
    argv
      .find((a) => a.startsWith(`--${flag}=`))
      ?.slice(`--${flag}=`.length)
      .split(",");
  const only = list("only");
  const picked = list("workloads");
  const unknown = picked?.filter((w) => !(WORKLOAD_IDS as readonly string[]).includes(w)) ?? [];
  if (unknown.length)
    throw new Error(`unknown workload(s) ${unknown.join(", ")}; known: ${WORKLOAD_IDS.join(", ")}`);
  const ids = WORKLOAD_IDS.filter((id) => !picked || picked.includes(id));
  const rounds = Number(list("rounds")?.[0] ?? (quick ? 1 : 3));
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`--rounds must be a positive integer, got ${rounds}`);
  const write = !quick && !picked && !argv.includes("--no-write");
  return { quick, write, only, ids, rounds, skip: list("skip") ?? [] };
}

/** The measurement plan for one cell: the workload's budget, shrunk for calls slower than the time box. */
function plan(w: Workload, checkMs: number, quick: boolean): MeasureOptions {
  if (quick) return { warmup: 0, minReps: 1, maxMs: 0 };
  const b = w.budget;
  if (checkMs <= b.maxMs / 2) return b;
  // A call that alone fills the time box (grafo's and TF.js's pure-JS 1024² matmul take seconds):
  // the check call was its warm-up, and two or three timed calls must do.
  return {
    warmup: 0,
    minReps: Math.max(2, Math.min(b.minReps, Math.round((3 * b.maxMs) / checkMs))),
    maxMs: 0,
  };
}

/**
 * A call slower than this many time boxes is not repeated: its check call is
 * its only sample (jax-js's eager XOR loop takes tens of seconds, and the
 * whole benchmark must stay within minutes on two cores).
 */
const SINGLE_RUN = 5;

/** The figure a cell shows: GFLOP/s or milliseconds. */
function figure(w: Workload, ms: number): number {
  return w.unit === "GFLOP/s" ? w.flops! / (ms * 1e6) : ms;
}

/** The grafo commit measured, marked when the work tree has uncommitted changes. */
function grafoCommit(): string {
  const git = (...args: string[]) =>
    execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  try {
    return `${git("rev-parse", "--short", "HEAD")}${git("status", "--porcelain", "--untracked-files=no", "--", ".", ":!bench/results.md", ":!bench/results.svg") ? " with uncommitted changes" : ""}`;
  } catch {
    return "unknown (not a git checkout)";
  }
}

function machine(): string[] {
  const cpus = os.cpus();
  return [
    `grafo: commit ${grafoCommit()}`,
    `date: ${new Date().toISOString().replace(/\.\d+Z$/, "Z")}`,
    `cpu: ${cpus[0]?.model ?? "unknown"}, ${cpus.length} logical cores (${os.availableParallelism()} available)`,
    `memory: ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `os: ${os.type()} ${os.release()} ${os.arch()}`,
    `node: ${process.version}`,
  ];
}

/** What a measuring process reports for one workload; check values go through a file (they can be 10⁶ numbers). */
interface ChildResult {
  cell: Cell;
  values?: string;
  single?: boolean;
  failed?: string;
}

const CHILD_MARK = "@@grafo-bench-child ";

/** Runs implementation `index` in a fresh process (the same script with --child) and reads its report. */
function runChild(
  index: number,
  dir: string,
  argv: readonly string[],
): Partial<Record<WorkloadId, ChildResult>> {
  const r = spawnSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), ...argv, `--child=${index}`, `--dir=${dir}`],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  const line = r.stdout.split("\n").find((l) => l.startsWith(CHILD_MARK));
  return line ? JSON.parse(line.slice(CHILD_MARK.length)) : {};
}

/** A child's check values (Node may hand back a slice of a shared pool buffer: copy the exact bytes). */
function readValues(file: string): Float64Array {
  const b = readFileSync(file);
  return new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/** Child side: measure every workload on one implementation and report as one JSON line. */
async function child(impl: Implementation, dir: string, opts: Options): Promise<void> {
  const inputs = makeInputs();
  const out: Partial<Record<WorkloadId, ChildResult>> = {};
  for (const id of opts.ids) {
    if (opts.skip.includes(id)) continue;
    const w = WORKLOADS[id];
    try {
      const r = await impl.prepare(id, inputs);
      if (isNotApplicable(r)) {
        out[id] = { cell: { ok: false, why: r.na } };
        continue;
      }
      try {
        const t0 = performance.now();
        const values = Float64Array.from(await r.check());
        const checkMs = performance.now() - t0;
        const file = join(dir, `${impl.name.replace(/\W+/g, "_")}-${id}.f64`);
        writeFileSync(file, new Uint8Array(values.buffer));
        if (checkMs > SINGLE_RUN * w.budget.maxMs && !opts.quick) {
          out[id] = { cell: { ok: true, ms: checkMs, reps: 1 }, values: file, single: true };
        } else {
          const m = await measure(() => r.run(), plan(w, checkMs, opts.quick));
          out[id] = { cell: { ok: true, ms: m.median, reps: m.reps }, values: file };
        }
      } finally {
        r.dispose?.();
      }
    } catch (e) {
      out[id] = { cell: { ok: false, why: `error: ${reason(e)}` }, failed: reason(e) };
    }
  }
  await impl.close?.();
  console.log(CHILD_MARK + JSON.stringify(out));
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const { ids } = opts;
  const childArg = process.argv.find((a) => a.startsWith("--child="));
  let impls: Implementation[] = [
    ...(await grafoImplementations()),
    ...(await tfjsImplementations()),
    ...(await jaxImplementations()),
    ...(await ortImplementations()),
  ];
  if (opts.only) {
    const words = opts.only;
    impls = impls.filter((im, i) => i === 0 || words.some((w) => im.name.includes(w)));
  }
  if (childArg) {
    const dir = process.argv.find((a) => a.startsWith("--dir="))!.slice("--dir=".length);
    await child(impls[Number(childArg.slice("--child=".length))]!, dir, opts);
    return;
  }
  const started = performance.now();
  const info = machine();
  console.log(`grafo peer benchmark${opts.quick ? " (quick smoke test: one timed call each)" : ""}`);
  for (const l of info) console.log(`  ${l}`);

  const cells = new Map<string, Cell>();
  const key = (impl: string, w: WorkloadId) => `${impl}|${w}`;
  const warnings: string[] = [];
  const singleRuns: string[] = [];
  const agreement: string[] = [];
  const checks = new Map<string, Float64Array>();

  // Each implementation runs in a process of its own, so none is charged for
  // another's heap, threads or JIT state (measured: jax-js's garbage alone
  // slowed a later 4 MB elementwise loop 2.5×). Rows print as they finish.
  const dir = mkdtempSync(join(os.tmpdir(), "grafo-bench-"));
  const rounds = new Map<string, number[]>();
  try {
    for (let round = 0; round < opts.rounds; round++) {
      if (opts.rounds > 1) console.log(`\n== round ${round + 1} of ${opts.rounds}`);
      for (const [index, impl] of impls.entries()) {
        console.log(`\n${impl.name}`);
        // A cell timed once (slower than the time box many times over) or failed is not run again.
        const skip = ids.filter((id) => round > 0 && !rounds.has(key(impl.name, id)));
        const argv = [...process.argv.slice(2), ...(skip.length ? [`--skip=${skip.join(",")}`] : [])];
        const results = runChild(index, dir, argv);
        for (const id of ids) {
          if (skip.includes(id)) continue;
          const w = WORKLOADS[id];
          const r = results[id];
          const k = key(impl.name, id);
          const cell: Cell = r?.cell ?? { ok: false, why: "error: the measuring process died" };
          console.log(
            `  ${w.title.padEnd(16)}  ` +
              (cell.ok
                ? `${formatFigure(figure(w, cell.ms)).padStart(8)} ${w.unit}  (median of ${cell.reps}${w.unit === "ms" ? "" : `, ${formatFigure(cell.ms)} ms`})`
                : `     n/a  (${cell.why})`),
          );
          if (round === 0) {
            if (r?.single) singleRuns.push(`${impl.name}, ${w.title}`);
            if (r?.failed) warnings.push(`WARNING ${w.title}: ${impl.name} failed: ${r.failed}`);
            if (r?.values) checks.set(k, readValues(r.values));
            cells.set(k, cell);
            if (cell.ok && !r?.single) rounds.set(k, [cell.ms]);
            continue;
          }
          if (!cell.ok) {
            warnings.push(`WARNING ${w.title}: ${impl.name} failed in round ${round + 1}: ${cell.why}`);
            continue;
          }
          rounds.get(k)!.push(cell.ms);
          const best = cells.get(k)!;
          if (best.ok && cell.ms < best.ms) cells.set(k, cell);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // Agreement: every result against the first implementation's (grafo js eager, the reference backend).
  for (const id of ids) {
    const w = WORKLOADS[id];
    const withValues = impls.filter((im) => checks.has(key(im.name, id)));
    const reference = withValues[0];
    if (!reference) continue;
    const ref = checks.get(key(reference.name, id))!;
    let worst = 0;
    for (const im of withValues.slice(1)) {
      const err = relativeError(ref, checks.get(key(im.name, id))!);
      worst = Math.max(worst, err);
      if (!(err <= w.tolerance)) {
        warnings.push(
          `WARNING ${w.title}: ${im.name} disagrees with ${reference.name}: relative error ${err.toExponential(2)} > ${w.tolerance}`,
        );
      }
    }
    agreement.push(
      `${w.title}: ${withValues.length} results, reference ${reference.name}, largest relative error ${worst.toExponential(1)} (tolerance ${w.tolerance})`,
    );
  }

  // Tables.
  const header = [
    "implementation",
    ...ids.map((id) => `${WORKLOADS[id].title} (${WORKLOADS[id].unit === "ms" ? "ms ↓" : "GFLOP/s ↑"})`),
  ];
  const medians: Table = {
    header,
    rows: impls.map((im) => [
      im.name,
      ...ids.map((id) => {
        const c = cells.get(key(im.name, id))!;
        return c.ok ? formatFigure(figure(WORKLOADS[id], c.ms)) : "n/a";
      }),
    ]),
  };
  const ran = (im: Implementation) => ids.some((id) => cells.get(key(im.name, id))?.ok);
  const grafoRows = impls.filter((im) => im.isGrafo && ran(im));
  const peers = impls.filter((im) => !im.isGrafo && ran(im));
  const ms = (name: string, id: WorkloadId): number | undefined => {
    const c = cells.get(key(name, id));
    return c?.ok ? c.ms : undefined;
  };
  const ratio = (g: number | undefined, p: number | undefined) => (g && p ? `${formatFigure(p / g)}` : "n/a");
  const best = (rows: Implementation[], id: WorkloadId) => {
    const t = rows.map((im) => ms(im.name, id)).filter((x): x is number => x !== undefined);
    return t.length ? Math.min(...t) : undefined;
  };
  const ratios: Table = {
    header: ["grafo ÷ peer", ...ids.map((id) => WORKLOADS[id].title)],
    rows: [
      ...grafoRows.flatMap((g) =>
        peers.map((p) => [
          `${g.name} vs ${p.name}`,
          ...ids.map((id) => ratio(ms(g.name, id), ms(p.name, id))),
        ]),
      ),
      ["best grafo vs best peer", ...ids.map((id) => ratio(best(grafoRows, id), best(peers, id)))],
    ],
  };
  const notApplicable = impls.flatMap((im) => {
    const whys = new Map<string, string[]>();
    for (const id of ids) {
      const c = cells.get(key(im.name, id))!;
      if (!c.ok) whys.set(c.why, [...(whys.get(c.why) ?? []), WORKLOADS[id].title]);
    }
    return [...whys].map(
      ([why, ws]) => `${im.name} (${ws.length === ids.length ? "all" : ws.join(", ")}): ${why}`,
    );
  });
  // Every round's median, for the record: how far the rounds of one implementation moved.
  const perRound: Table = {
    header: ["implementation", ...ids.map((id) => WORKLOADS[id].title)],
    rows: impls.filter(ran).map((im) => [
      im.name,
      ...ids.map((id) => {
        const all = rounds.get(key(im.name, id));
        return all ? all.map((t) => formatFigure(figure(WORKLOADS[id], t))).join(" / ") : "-";
      }),
    ]),
  };
  const elapsed = (performance.now() - started) / 1000;

  console.log(`\nMedians (GFLOP/s: higher is better; ms: lower is better)\n${renderText(medians)}`);
  console.log(`\nSpeed ratio grafo ÷ peer (> 1: grafo faster)\n${renderText(ratios)}`);
  if (notApplicable.length) console.log(`\nn/a:\n${notApplicable.map((l) => `  ${l}`).join("\n")}`);
  const single = singleRuns.length
    ? [
        `Timed once, from the unwarmed check call (slower than ${SINGLE_RUN}× the time box): ${singleRuns.join("; ")}.`,
      ]
    : [];
  for (const l of single) console.log(`\n${l}`);
  console.log(`\nCorrectness:\n${agreement.map((l) => `  ${l}`).join("\n")}`);
  console.log(warnings.length ? `\n${warnings.join("\n")}` : "\nAll implementations agree within tolerance.");
  console.log(`\nTotal time ${elapsed.toFixed(0)} s`);

  if (opts.write) {
    const md = [
      "# grafo vs peers: benchmark results",
      "",
      "Written by `npm run bench` (bench/run.ts); see bench/README.md for what is measured and how.",
      "",
      ...info.map((l) => `- ${l}`),
      `- total run time: ${elapsed.toFixed(0)} s`,
      "",
      "## Medians",
      "",
      `GFLOP/s: higher is better; ms: lower is better. Each figure is the lowest of ${opts.rounds} rounds' medians (every round measures each implementation in a fresh process; see "Rounds" below).`,
      "",
      renderMarkdown(medians),
      "",
      ...(single.length ? [...single, ""] : []),
      "## Speed ratio grafo ÷ peer",
      "",
      "Peer time divided by grafo time: above 1, grafo is faster.",
      "",
      renderMarkdown(ratios),
      "",
      "## Rounds",
      "",
      "Each round's median, in round order (- : timed once, or failed).",
      "",
      renderMarkdown(perRound),
      "",
      "## Implementations",
      "",
      ...impls.map((im) => `- **${im.name}**: ${im.details}`),
      "",
      ...(notApplicable.length ? ["## n/a", "", ...notApplicable.map((l) => `- ${l}`), ""] : []),
      "## Correctness",
      "",
      ...agreement.map((l) => `- ${l}`),
      "",
      ...(warnings.length ? warnings.map((l) => `- ${l}`) : ["All implementations agree within tolerance."]),
      "",
    ].join("\n");
    writeFileSync(new URL("./results.md", import.meta.url), md);
    const plotRows = impls
      .filter(ran)
      .map((im) => ({ name: im.name, isGrafo: im.isGrafo, ms: ids.map((id) => ms(im.name, id)) }));
    const caption = `npm run bench, ${info[1]!.slice("date: ".length)}, ${os.cpus()[0]?.model ?? "unknown cpu"}, ${os.availableParallelism()} cores`;
    writeFileSync(
      new URL("./results.svg", import.meta.url),
      plotSvg(
        ids.map((id) => WORKLOADS[id].title),
        plotRows,
        caption,
      ),
    );
    console.log("Wrote bench/results.md and bench/results.svg");
  }
}

await main();
