import { binaryPrimitives } from "./binary.js";
import { linalgPrimitives } from "./linalg.js";
import { windowPrimitives } from "./nn.js";
import type { PrimitiveTable } from "./primitive.js";
import { randomPrimitives } from "./random.js";
import { reducePrimitives } from "./reduce.js";
import { shapePrimitives } from "./shape.js";
import { unaryPrimitives } from "./unary.js";

let table: PrimitiveTable | undefined;

/**
 * All primitives by name. Typed as the complete table, so leaving a primitive
 * out of its family's file is a compile error. Built on first use because the
 * families import each other's public ops for their derivative rules.
 */
export function primitiveTable(): PrimitiveTable {
  table ??= {
    ...unaryPrimitives,
    ...binaryPrimitives,
    ...reducePrimitives,
    ...shapePrimitives,
    ...linalgPrimitives,
    ...windowPrimitives,
    ...randomPrimitives,
  } satisfies PrimitiveTable;
  return table;
}
