// Keeps store.data.backups current while the backups screen is visible: the
// directory is listed at the refresh interval (a readdir and a stat per
// file, no server query — the poller polls only the header for this screen),
// at once when the screen opens, and after a backup, verify or delete
// (refresh()). While a backup is being written it also shows there, growing.
import { setData, type PgtopStore } from '../store/store.js';
import { listBackups } from './listing.js';

export class BackupDirWatcher {
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private listing = false;
  private again = false;

  constructor(
    private readonly store: PgtopStore,
    readonly dir: string,
  ) {}

  start(): void {
    this.unsubscribe = this.store.subscribe((state, previous) => {
      const visible = state.ui.screen === 'backups';
      const was = previous.ui.screen === 'backups';
      if (visible && (!was || (previous.ui.paused && !state.ui.paused) || state.ui.intervalMs !== previous.ui.intervalMs)) this.refresh();
      if (!visible && was) this.clearTimer();
    });
    if (this.store.getState().ui.screen === 'backups') this.refresh();
  }

  /** Lists the directory now (or right after the listing in flight). */
  refresh(): void {
    if (this.listing) {
      this.again = true;
      return;
    }
    this.clearTimer();
    void this.listOnce();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.clearTimer();
  }

  /** One listing into the store; resolves when it is there (tests, --once). */
  async listOnce(): Promise<void> {
    this.listing = true;
    try {
      const listing = await listBackups(this.dir);
      setData(this.store, { backups: listing });
    } finally {
      this.listing = false;
      const state = this.store.getState();
      if (this.unsubscribe && state.ui.screen === 'backups') {
        const delay = this.again ? 0 : state.ui.paused ? null : state.ui.intervalMs;
        this.again = false;
        if (delay !== null) this.timer = setTimeout(() => this.refresh(), delay);
      }
    }
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
