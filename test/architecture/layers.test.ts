// The layering of src/ (docs/architecture.md): no import cycle, and no import against the layers.
import { expect, test } from "bun:test";
import { cycles, forbiddenEdges, importGraph } from "./imports.ts";

const graph = importGraph();

test("the import graph is read (main.ts reaches the server and the REST API)", () => {
  expect(graph.size).toBeGreaterThan(50);
  expect(graph.get("main.ts")?.some((m) => m.startsWith("server/"))).toBe(true);
});

test("no module takes part in an import cycle", () => {
  expect(cycles(graph)).toEqual([]);
});

test("no import goes against the layers", () => {
  expect(forbiddenEdges(graph)).toEqual([]);
});
