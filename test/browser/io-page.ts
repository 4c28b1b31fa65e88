/**
 * What the io browser test runs inside the page: a model saved to IndexedDB
 * and loaded back, to and from bytes, loaded by fetch from a served folder,
 * and the errors a browser gives for what only Node can do.
 */
import { getBackend, load, nn, random, readModelInfo, save } from "../../src/index.js";

const message = async (p: Promise<unknown>): Promise<string> =>
  p.then(
    () => "no error",
    (e: Error) => `${e.name}: ${e.message}`,
  );

/** The model both sides build: Node saves it for the page to fetch, the page saves its own. */
export const ioTestModel = () =>
  nn
    .sequential(
      nn.linear(3, 5, { key: random.key(1) }),
      nn.batchNorm(5),
      nn.relu(),
      nn.linear(5, 2, { key: random.key(2) }),
    )
    .eval();
/** The inputs both sides run it on. */
export const ioTestInput = () => random.normal(random.key(3), [4, 3]);

export async function runIoInPage(servedModel: string) {
  const model = ioTestModel();
  const x = ioTestInput();
  const out = (m: nn.Module) => Array.from(m.predict(x).data());

  await save(model, "indexeddb://io-test", { metadata: { labels: ["left", "right"] } });
  const fromDb = await load("indexeddb://io-test");
  const info = await readModelInfo("indexeddb://io-test");
  const bytes = await save(model);
  const fromBytes = await load(bytes.buffer as ArrayBuffer);
  const fetched = await load(servedModel);
  return {
    backend: getBackend(),
    original: out(model),
    fromDb: out(fromDb),
    fromBytes: out(fromBytes),
    fetched: out(fetched),
    metadata: info.metadata,
    missing: await message(load("indexeddb://no-such-model")),
    nodePath: await message(save(model, "/tmp/model")),
  };
}

(globalThis as { runIoInPage?: typeof runIoInPage }).runIoInPage = runIoInPage;
