/** Data: data sets over tensors or streams, batching, splitting, scaling, CSV, built-in sets. */
export { type CsvData, type CsvOptions, loadCsv, parseCsv } from "./csv.js";
export {
  type Batch,
  DataLoader,
  type DataLoaderOptions,
  type Dataset,
  fromIterable,
  fromTensors,
  type SampleSource,
  StreamDataset,
  TensorDataset,
} from "./dataset.js";
export { type Mnist, type MnistOptions, mnist } from "./mnist.js";
export { type SplitOptions, standardize, trainTestSplit } from "./prep.js";
export {
  circle,
  gauss,
  lectureXor,
  moons,
  regression1d,
  regressionTruth,
  type Synthetic2dOptions,
  spiral,
  type XY,
  xor,
} from "./synthetic.js";
