// The status bar's "Spark: running · 3 notebooks"; a click shows the sidebar.

import { Widget } from '@lumino/widgets';

import { IServerState } from './api';
import { plural } from './controller';
import { StateFeed } from './feed';

const BUSY_WORDS: Record<string, string> = {
  start: 'starting',
  stop: 'stopping',
  'stop-all': 'stopping',
  restart: 'restarting',
  'restart-all': 'restarting'
};

export class StatusItem extends Widget {
  constructor(feed: StateFeed, onClick: () => void) {
    super();
    this.addClass('spc-status-item');
    this.node.title = 'Spark Connect server: click for the Spark sidebar';
    this.node.addEventListener('click', onClick);
    const draw = (state: IServerState | null): void => {
      const busy = state?.busy || '';
      const word = state === null ? 'connecting' : busy ? BUSY_WORDS[busy] || busy : state.state;
      const count = state?.attached?.length ?? 0;
      const running = state?.state === 'running';
      this.node.textContent = `Spark: ${word}${running && !busy ? ` · ${plural(count, 'notebook')}` : ''}`;
      this.node.dataset.state = busy ? 'busy' : (state?.state ?? 'unknown');
    };
    draw(feed.state);
    feed.changed.connect((_, state) => draw(state));
  }
}
