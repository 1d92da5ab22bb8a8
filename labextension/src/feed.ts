// One long-poll loop per page: the sidebar, the status bar item and the Spark UI tab all listen
// to it. The server answers at once when its state moved past the version we hold, else after
// up to 10 s with the same version; so a change made anywhere (a notebook, a terminal, another
// page) reaches this page within the time a request takes.

import { ISignal, Signal } from '@lumino/signaling';

import { IFailure, IServerState, IVersioned, request, withQuery } from './api';

const RETRY_FIRST = 1000; // ms after a failed request; doubles up to RETRY_LAST
const RETRY_LAST = 5000;

export class StateFeed {
  /** The last state the server sent, or null before its first answer. */
  get state(): IServerState | null {
    return this._state;
  }

  /** A new state arrived. */
  get changed(): ISignal<this, IServerState> {
    return this._changed;
  }

  /** A start failed somewhere (the state's `failure` went from none to some). */
  get failed(): ISignal<this, IFailure> {
    return this._failed;
  }

  /** Whether the last request failed (the server is not reachable). */
  get offline(): boolean {
    return this._offline;
  }

  start(): void {
    if (!this._running) {
      this._running = true;
      void this._loop();
    }
  }

  stop(): void {
    this._running = false;
    this._abort?.abort();
  }

  private async _loop(): Promise<void> {
    let retry = RETRY_FIRST;
    while (this._running) {
      this._abort = new AbortController();
      try {
        const answer = await request<IVersioned>(
          withQuery('state', { since: this._version }),
          undefined,
          { signal: this._abort.signal }
        );
        retry = RETRY_FIRST;
        this._offline = false;
        if (answer.version !== this._version || this._state === null) {
          this._version = answer.version;
          this._take(answer.state);
        }
      } catch {
        if (!this._running) {
          return;
        }
        this._offline = true;
        await sleep(retry);
        retry = Math.min(retry * 2, RETRY_LAST);
      }
    }
  }

  private _take(state: IServerState): void {
    const before = this._state;
    this._state = state;
    this._changed.emit(state);
    // The first answer only sets the baseline: a failure from before this page loaded is shown
    // in the sidebar, not pushed at the user again.
    if (before !== null && state.failure && !sameFailure(before.failure, state.failure)) {
      this._failed.emit(state.failure);
    }
  }

  private _version = -1;
  private _state: IServerState | null = null;
  private _running = false;
  private _offline = false;
  private _abort: AbortController | null = null;
  private _changed = new Signal<this, IServerState>(this);
  private _failed = new Signal<this, IFailure>(this);
}

function sameFailure(a: IFailure | null, b: IFailure | null): boolean {
  return a === b || (a !== null && b !== null && a.html === b.html && a.text === b.text);
}

export function sleep(ms: number): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, ms));
}
