/** What `fit` returns: the logs of every epoch (as Keras' History). */
export class History {
  /** The epochs run (0-based). */
  readonly epochs: number[] = [];
  /** Per log name (loss, accuracy, valLoss, …), one value per epoch. */
  readonly history: Record<string, number[]> = {};
  /** Why training ended before its last epoch, if it did. */
  stopped: "earlyStopping" | "aborted" | "callback" | undefined = undefined;

  /** @internal */
  record(epoch: number, logs: Readonly<Record<string, number>>): void {
    this.epochs.push(epoch);
    for (const [k, v] of Object.entries(logs)) (this.history[k] ??= []).push(v);
  }

  /** The values of one log over the epochs (empty if never logged). */
  get(name: string): number[] {
    return this.history[name] ?? [];
  }

  /** The last epoch's value of a log. */
  last(name: string): number | undefined {
    const v = this.history[name];
    return v?.[v.length - 1];
  }
}
