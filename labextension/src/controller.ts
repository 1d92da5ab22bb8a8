// What the sidebar's view and the commands do, for the whole page: the view's model (sidebar
// layout) filled from the state feed and the REST API, and its messages turned into requests.

import { Dialog, showDialog } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';

import { IConf, IConfRow, IJobs, IOutcome, IServerState, request, withQuery } from './api';
import { StateFeed } from './feed';
import { Message, ViewModel } from './model';
import { applySessionConf } from './sessionconf';

/** What the page opens: main-area tabs and notebooks. */
export interface IOpeners {
  openLog(): void;
  openUi(): void;
  openNotebook(path: string): void;
}

export type ActionName = 'start' | 'stop' | 'stop-all' | 'restart' | 'restart-all';

const JOBS_EVERY = 2000; // ms between two reads of the jobs while the Jobs tab shows

export class SparkController {
  constructor(feed: StateFeed, openers: IOpeners, tracker: INotebookTracker | null) {
    this._feed = feed;
    this._openers = openers;
    this._tracker = tracker;
    this.model = new ViewModel(
      {
        layout: 'sidebar',
        tab: 'status',
        server: feed.state ?? { state: 'unknown', label: 'connecting…' },
        busy: '',
        kernel_busy: false,
        message: {},
        profiles: [],
        profile: '',
        profiles_error: '',
        known_keys: [],
        conf_rows: { rows: [], version: 0 },
        conf_checks: {},
        conf_plan_html: '',
        log: {},
        jobs: {},
        cancel: {}
      },
      message => void this._handle(message)
    );
    feed.changed.connect((_, state) => this._onState(state));
    feed.failed.connect((_, failure) => {
      // A start from a notebook, a terminal or another page failed. One from this page has
      // its own answer (see act), which says the same.
      if (!this._acting) {
        this._say({ ok: false, level: 'error', html: failure.html, text: failure.text, start_failed: true });
        this._openers.openLog();
      }
    });
    if (feed.state) {
      this._onState(feed.state);
    }
    void this.loadConf();
  }

  readonly model: ViewModel;

  /** Whether the sidebar shows (the Jobs tab reads the Spark UI only then). */
  setVisible(visible: boolean): void {
    this._visible = visible;
    this._pollJobs();
  }

  /** Start, Stop or Restart as the buttons do, without asking (the view or the caller asked). */
  async act(name: ActionName): Promise<IOutcome | null> {
    if (this._acting) {
      return null;
    }
    this._acting = name;
    this._refreshBusy();
    let outcome: IOutcome;
    try {
      outcome = await request<IOutcome>('action', { name, profile: this._profile });
    } catch (error) {
      outcome = failed(`${name} did not reach the Jupyter server: ${error}`);
    } finally {
      this._acting = '';
      this._refreshBusy();
    }
    this._say(outcome);
    if (outcome.start_failed) {
      this._openers.openLog();
    }
    void this.loadConf(); // the plan card says what runs now
    return outcome;
  }

  /** Stop or Restart from a command: ask first when notebooks would lose their sessions. */
  async confirmAndAct(name: 'stop' | 'restart'): Promise<void> {
    const attached = this._feed.state?.attached ?? [];
    if (!attached.length) {
      await this.act(name);
      return;
    }
    const names = attached.map(a => a.name).join(', ');
    const what = name === 'restart' ? 'Restart' : 'Stop';
    const answer = await showDialog({
      title: `${what} the Spark server for everyone?`,
      body: `It cuts off ${plural(attached.length, 'notebook')} (${names}): their sessions end, with their temp views and session confs.`,
      buttons: [
        Dialog.cancelButton({ label: 'Keep running' }),
        Dialog.warnButton({ label: `${what} for everyone` })
      ]
    });
    if (answer.button.accept) {
      await this.act(`${name}-all`);
    }
  }

  /** Read the Configure tab's rows, profiles and plan again. */
  async loadConf(): Promise<void> {
    let conf: IConf;
    try {
      conf = await request<IConf>(withQuery('conf', { profile: this._profile }));
    } catch (error) {
      this.model.set({ profiles_error: `The conf could not be read: ${error}` });
      return;
    }
    this._profile = conf.profile;
    const values: Record<string, unknown> = {
      profiles: conf.profiles,
      profile: conf.profile,
      profiles_error: conf.profiles_error,
      conf_plan_html: conf.plan_html
    };
    if (this.model.get('known_keys').length !== conf.known_keys.length) {
      values.known_keys = conf.known_keys;
    }
    // The editor starts its rows over only when the saved conf changed (or after Apply).
    if (conf.version !== this._confVersion || this._confDirty) {
      this._confVersion = conf.version;
      this._confDirty = false;
      const rows: IConfRow[] = [
        ...conf.rows,
        ...Object.entries({ ...this._sessionRows, ...this._refusedRows }).map(([key, value]) => ({
          key,
          value,
          scope: 'session'
        }))
      ];
      // Offered once, in the rows the Apply that refused them leaves; the next reload drops them.
      this._refusedRows = {};
      values.conf_rows = { rows, version: ++this._rowsVersion };
    }
    this.model.set(values);
  }

  private async _handle(message: Message): Promise<void> {
    switch (message.type) {
      case 'action':
        await this.act(message.name);
        break;
      case 'tab':
        this._tab = message.tab;
        this._pollJobs();
        break;
      case 'profile':
        this._profile = String(message.name || '');
        this.model.set({ profile: this._profile });
        await this.loadConf();
        break;
      case 'conf-draft':
        await this._check(message.seq, message.rows);
        break;
      case 'conf-apply':
        await this._applyConf(message.rows);
        break;
      case 'open-log':
        this._openers.openLog();
        break;
      case 'open-ui':
        this._openers.openUi();
        break;
      case 'open-notebook':
        this._openers.openNotebook(String(message.path));
        break;
      default:
        break; // presence and the like: the sidebar knows when it shows
    }
  }

  private _onState(state: IServerState): void {
    this.model.set({ server: state });
    this._refreshBusy();
  }

  private _refreshBusy(): void {
    this.model.set({ busy: this._acting || this._feed.state?.busy || '' });
  }

  private async _check(seq: number, rows: IConfRow[]): Promise<void> {
    try {
      const answer = await request<{ seq: number }>('conf/check', { seq, rows });
      // Answers may cross: an older one must not replace the checks of newer rows.
      if (answer.seq >= this._checked) {
        this._checked = answer.seq;
        this.model.set({ conf_checks: answer });
      }
    } catch {
      // The next keystroke asks again; the rows stay "checking" meanwhile.
    }
  }

  private async _applyConf(rows: IConfRow[]): Promise<void> {
    this.model.set({ busy: 'conf' });
    let outcome: IOutcome;
    try {
      outcome = await request<IOutcome>('conf', { rows, profile: this._profile });
      const session = outcome.session ?? {};
      if (Object.keys(session).length) {
        const applied = await applySessionConf(this._tracker, session);
        Object.assign(this._sessionRows, applied.applied);
        // A row Spark refused stays for correction, with those after it that were not applied.
        this._refusedRows = Object.fromEntries(
          Object.entries(session).filter(([key]) => !(key in applied.applied))
        );
        const said = `<div class="${applied.ok ? '' : 'spc-error-text'}">${escapeHtml(applied.text)}</div>`;
        outcome = {
          ...outcome,
          ok: outcome.ok && applied.ok,
          level: outcome.ok && applied.ok ? 'info' : 'error',
          html: outcome.html + said,
          text: [outcome.text, applied.text].filter(Boolean).join('\n')
        };
      }
    } catch (error) {
      outcome = failed(`The conf was not saved: ${error}`);
    } finally {
      this._refreshBusy();
    }
    this._say(outcome);
    this._confDirty = true;
    await this.loadConf();
  }

  private _pollJobs(): void {
    const wanted = this._visible && this._tab === 'jobs';
    if (wanted === this._jobsPolling) {
      return;
    }
    this._jobsPolling = wanted;
    if (!wanted) {
      return;
    }
    const round = ++this._jobsRound; // a loop from an earlier showing stops at its next turn
    const read = async (): Promise<void> => {
      try {
        const jobs = await request<IJobs>('jobs');
        const running = jobs.rows.filter(row => row.status === 'running').length;
        this.model.set({ jobs: { ...jobs, running } });
      } catch (error) {
        this.model.set({ jobs: { rows: [], notes: [`The jobs could not be read: ${error}`] } });
      }
      if (this._jobsPolling && round === this._jobsRound) {
        setTimeout(read, JOBS_EVERY);
      }
    };
    void read();
  }

  private _say(outcome: IOutcome): void {
    this.model.set({
      message: {
        level: outcome.level,
        html: outcome.html || `<div>${escapeHtml(outcome.text)}</div>`,
        text: outcome.text,
        start_failed: Boolean(outcome.start_failed),
        id: ++this._messages
      }
    });
  }

  private _feed: StateFeed;
  private _openers: IOpeners;
  private _tracker: INotebookTracker | null;
  private _acting = '';
  private _profile = '';
  private _tab = 'status';
  private _visible = false;
  private _jobsPolling = false;
  private _jobsRound = 0;
  private _messages = 0;
  private _checked = 0;
  private _confVersion: number | null = null;
  private _confDirty = false;
  private _rowsVersion = 0;
  private _sessionRows: Record<string, string> = {};
  private _refusedRows: Record<string, string> = {};
}

export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function failed(text: string): IOutcome {
  return { ok: false, level: 'error', html: `<div>${escapeHtml(text)}</div>`, text };
}

function escapeHtml(text: string): string {
  const node = document.createElement('div');
  node.textContent = text;
  return node.innerHTML;
}
