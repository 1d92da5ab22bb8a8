// The Spark UI in a main-area tab, framed from the Jupyter server's own address (the package's
// proxy at <base>sparkui/). A restarted server is a new Spark application: the frame reloads
// when the server's start time changes.

import { IFrame, MainAreaWidget } from '@jupyterlab/apputils';
import { URLExt } from '@jupyterlab/coreutils';

import { baseUrl, IServerState } from './api';
import { StateFeed } from './feed';
import { sparkIcon } from './icon';

export const UI_ID = 'sparkconnect-ui';

/** Where the page finds the Spark UI: framed when it is on this origin, else null. */
export function framedUrl(state: IServerState | null): string | null {
  const url = state?.ui_url || '';
  if (url.startsWith('/')) {
    return url;
  }
  if (url) {
    return null; // another origin (no proxy): it refuses to be framed, so it gets a window
  }
  return URLExt.join(baseUrl(), 'sparkui', 'jobs/');
}

export function createUiTab(feed: StateFeed): MainAreaWidget<IFrame> {
  const content = new IFrame({
    sandbox: ['allow-scripts', 'allow-same-origin', 'allow-forms', 'allow-popups']
  });
  content.addClass('spc-lab-ui');
  const widget = new MainAreaWidget({ content });
  widget.id = UI_ID;
  widget.title.label = 'Spark UI';
  widget.title.icon = sparkIcon;
  widget.title.closable = true;

  let startedAt = feed.state?.started_at ?? null;
  content.url = framedUrl(feed.state) ?? URLExt.join(baseUrl(), 'sparkui', 'jobs/');
  const onState = (_: StateFeed, state: IServerState): void => {
    // A starting server has its start time before its UI answers: reload once it runs.
    const url = framedUrl(state);
    if (url === null || state.state !== 'running' || state.started_at === startedAt) {
      return;
    }
    startedAt = state.started_at;
    const frame = content.node.querySelector('iframe');
    if (content.url !== url) {
      content.url = url;
    } else if (frame?.contentWindow) {
      frame.contentWindow.location.replace(url);
    }
  };
  feed.changed.connect(onState);
  widget.disposed.connect(() => feed.changed.disconnect(onState));
  return widget;
}
