// Notices commits made by other processes (the CLI, another admin) and tells the in-process caches to reload.
import type { Store } from '../store/store.js';

export class ChangeWatcher {
  private last: number | undefined;
  private readonly listeners: Array<() => void | Promise<void>> = [];

  constructor(private readonly store: Store) {}

  onChange(listener: () => void | Promise<void>): void {
    this.listeners.push(listener);
  }

  /**
   * Cheap (SQLite: PRAGMA data_version; PostgreSQL: a counter bumped by NOTIFY); call before every decision that
   * reads cached state. If a reload fails the change stays unseen, so the next call tries again.
   */
  async check(): Promise<void> {
    const token = await this.store.changeToken();
    if (token === this.last) return;
    const first = this.last === undefined;
    if (!first) for (const listener of this.listeners) await listener();
    this.last = token;
  }
}
