/** The undo entries of the stores' unit of work (see ledger-store.ts). */
/** In-memory undo entries of one transaction, so a message's savepoint rollback also undoes its cached changes. */
export class UndoLog {
  private readonly entries: (() => void)[] = [];
  mark(): number {
    return this.entries.length;
  }
  push(undo: () => void): void {
    this.entries.push(undo);
  }
  rollbackTo(mark: number): void {
    while (this.entries.length > mark) this.entries.pop()!();
  }
  clear(): void {
    this.entries.length = 0;
  }
}
