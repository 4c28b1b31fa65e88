import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { program } from "../../src/cli/main.js";

/** A command's full help text, as `grafo <command> --help` prints it (the examples come after the options). */
function helpOf(c: Command): string {
  let text = "";
  c.configureOutput({ writeOut: (s) => (text += s), writeErr: (s) => (text += s) });
  c.outputHelp();
  return text;
}

describe("grafo --help", () => {
  const root = program();
  it("lists every command", () => {
    expect(root.commands.map((c) => c.name()).sort()).toEqual(
      [
        "bench",
        "demo",
        "eval",
        "explain",
        "export",
        "graph",
        "info",
        "lecture",
        "playground",
        "predict",
        "train",
      ].sort(),
    );
  });

  for (const c of root.commands)
    it(`${c.name()} --help describes it and shows an example`, () => {
      const text = helpOf(c);
      expect(text).toContain(`Usage: grafo ${c.name()}`);
      expect(text).toMatch(/Examples?:\n\s+\$ grafo /);
      expect(c.description().length).toBeGreaterThan(20);
    });
});
