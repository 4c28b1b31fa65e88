import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { twoClasses, write } from "./data.js";
import { grafo, type Result, tempDir } from "./run.js";

const tmp = tempDir();
afterAll(tmp.remove);

/** A user error: exit code 1, one line on stderr matching `message`, nothing on stdout, no stack trace. */
function expectUserError(r: Result, message: RegExp | string): void {
  expect(r.code).toBe(1);
  expect(r.stdout).toBe("");
  const lines = r.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  if (typeof message === "string") expect(lines[0]).toBe(message);
  else expect(lines[0]).toMatch(message);
  expect(r.stderr).not.toMatch(/^\s+at /m);
}

/** Nothing named `name` (nor a partial `.name.partial-…`) in the folder. */
function expectNoFolder(name: string): void {
  expect(readdirSync(tmp.dir).filter((f) => f === name || f.startsWith(`.${name}.partial`))).toEqual([]);
}

const train = (file: string, target: string, out: string, ...flags: string[]) =>
  grafo(["train", file, "--target", target, "--out", join(tmp.dir, out), ...flags]);

describe("grafo train on bad input: one clear line, exit code 1, no folder left behind", () => {
  it("a missing file", async () => {
    expectUserError(
      await train(join(tmp.dir, "nope.csv"), "y", "m1"),
      `error: ${join(tmp.dir, "nope.csv")}: no such file`,
    );
    expectNoFolder("m1");
  });

  it("an empty file", async () => {
    const f = write(tmp.dir, "empty.csv", [""]);
    expectUserError(await train(f, "y", "m2"), `error: ${f}:1: the file is empty`);
    expectNoFolder("m2");
  });

  it("a ragged row", async () => {
    const f = write(tmp.dir, "ragged.csv", ["a,b,y", "1,2,0", "3,4,1", "5,6", "7,8,1"]);
    expectUserError(
      await train(f, "y", "m3"),
      new RegExp(`^error: ${f}:4: line 4 has 2 fields, the header has 3$`),
    );
    expectNoFolder("m3");
  });

  it("a non-numeric value in a feature column", async () => {
    const f = write(tmp.dir, "text.csv", ["a,b,y", "1,2,0", "3,4,1", "5,six,0", "7,8,1"]);
    expectUserError(await train(f, "y", "m4"), new RegExp(`^error: ${f}:4: .*"six"`));
    expectNoFolder("m4");
  });

  it("an unknown target column", async () => {
    const f = write(tmp.dir, "target.csv", ["a,b,y", "1,2,0", "3,4,1"]);
    expectUserError(
      await train(f, "label", "m5"),
      `error: ${f}:1: target column "label" not found; columns are a, b, y`,
    );
    expectNoFolder("m5");
  });

  it("a target with one class", async () => {
    const f = write(tmp.dir, "one.csv", ["a,b,y", "1,2,yes", "3,4,yes", "5,6,yes"]);
    expectUserError(
      await train(f, "y", "m6"),
      `error: ${f}:1: the target column "y" has one class ("yes"); classification needs two or more`,
    );
    expectNoFolder("m6");
  });

  it("flags with bad values", async () => {
    const f = twoClasses(tmp.dir);
    expectUserError(
      await train(f, "inside", "m7", "--epochs", "ten"),
      `error: option '--epochs <n>' argument 'ten' is invalid. expected a positive integer, got "ten"`,
    );
    expectUserError(
      await train(f, "inside", "m7", "--validation", "1.5"),
      /--validation.*expected a fraction in \[0, 1\)/,
    );
    expectUserError(await train(f, "inside", "m7", "--activation", "swish"), /expected one of relu, tanh/);
    expectUserError(await train(f, "inside", "m7", "--layers", "16,x"), /expected widths like 16,16/);
    expectNoFolder("m7");
  });

  it("training that diverges removes its partial folder", async () => {
    const f = twoClasses(tmp.dir);
    const r = await train(f, "inside", "m8", "--lr", "1e30", "--layers", "64,64", "--loss", "mse");
    expectUserError(r, /^error: fit: the loss became (NaN|Infinity)/);
    expectNoFolder("m8");
  });

  it("--verbose adds the stack trace", async () => {
    const r = await grafo(["train", join(tmp.dir, "nope.csv"), "--target", "y", "--verbose"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^\s+at /m);
  });
});

describe("grafo eval/predict/info on bad models", () => {
  let model: string;
  beforeAll(async () => {
    model = join(tmp.dir, "good");
    const r = await grafo([
      "train",
      twoClasses(tmp.dir),
      "--target",
      "inside",
      "--out",
      model,
      "--epochs",
      "3",
    ]);
    expect(r.code).toBe(0);
  }, 60_000);

  it("a model folder from another format version", async () => {
    const old = join(tmp.dir, "future");
    cpSync(model, old, { recursive: true });
    const json = JSON.parse(readFileSync(join(old, "model.json"), "utf8"));
    json.formatVersion = 99;
    writeFileSync(join(old, "model.json"), JSON.stringify(json));
    const r = await grafo(["info", old]);
    expectUserError(r, /^error: .*model\.json.*99/);
  });

  it("table metadata from another version of grafo train", async () => {
    const other = join(tmp.dir, "other-meta");
    cpSync(model, other, { recursive: true });
    const json = JSON.parse(readFileSync(join(other, "model.json"), "utf8"));
    json.metadata.version = 2;
    writeFileSync(join(other, "model.json"), JSON.stringify(json));
    expectUserError(
      await grafo(["eval", other, twoClasses(tmp.dir)]),
      /table metadata version 2; this grafo reads version 1/,
    );
  });

  it("a missing model folder, and a data file without the model's columns", async () => {
    expectUserError(
      await grafo(["info", join(tmp.dir, "none")]),
      `error: ${join(tmp.dir, "none")}: no such model folder`,
    );
    const f = write(tmp.dir, "cols.csv", ["x1,z,inside", "1,2,0"]);
    expectUserError(
      await grafo(["predict", model, f]),
      `error: ${f}:1: the model needs the column "x2", which this file lacks`,
    );
  });

  it("an existing folder that is not a model is not overwritten", async () => {
    const keep = join(tmp.dir, "keep");
    write(tmp.dir, "keep-me.txt", ["x"]);
    cpSync(join(tmp.dir, "keep-me.txt"), join(keep, "notes.txt"), { recursive: true });
    const r = await grafo(["train", twoClasses(tmp.dir), "--target", "inside", "--out", keep]);
    expectUserError(r, `error: --out ${keep}: exists and is not a grafo model folder; choose another --out`);
    expect(existsSync(join(keep, "notes.txt"))).toBe(true);
  });
});
