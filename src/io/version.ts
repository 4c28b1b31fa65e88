/** grafo's version, written into every model.json (a test keeps it equal to package.json's). */
export const GRAFO_VERSION = "0.1.0";

/** The version of the model folder format this grafo writes; it reads this one and older. */
export const MODEL_FORMAT_VERSION = 1;
