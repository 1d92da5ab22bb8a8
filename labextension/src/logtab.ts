// The server log in a main-area tab: the shared view's Logs body, read again every second while
// the tab shows.

import { MainAreaWidget } from '@jupyterlab/apputils';

import { ILog, request, withQuery } from './api';
import { Message, ViewModel } from './model';
import { PanelView } from './view';
import { sparkIcon } from './icon';

export const LOG_ID = 'sparkconnect-log';
const EVERY = 1000;

export function createLogTab(): MainAreaWidget<PanelView> {
  const filter = { level: '', grep: '' };
  let visible = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let round = 0;
  const model = new ViewModel(
    { layout: 'log', tab: 'logs', log: {}, server: {}, kernel_busy: false },
    (message: Message) => {
      if (message.type === 'logs') {
        filter.level = String(message.level || '');
        filter.grep = String(message.grep || '');
        void read(round); // the new filter at once, not at the next turn
      }
    }
  );
  async function read(of: number): Promise<void> {
    try {
      const log = await request<ILog>(withQuery('logs', filter));
      if (of === round) {
        model.set({ log });
      }
    } catch (error) {
      model.set({ log: { ...model.get('log'), notes: [`The log could not be read: ${error}`] } });
    }
  }
  const follow = (on: boolean): void => {
    if (on === visible) {
      return;
    }
    visible = on;
    clearTimeout(timer);
    if (!on) {
      round++;
      return;
    }
    const mine = ++round;
    const turn = async (): Promise<void> => {
      await read(mine);
      if (visible && mine === round) {
        timer = setTimeout(turn, EVERY);
      }
    };
    void turn();
  };
  const content = new PanelView(model, follow);
  const widget = new MainAreaWidget({ content });
  widget.id = LOG_ID;
  widget.title.label = 'Spark log';
  widget.title.icon = sparkIcon;
  widget.title.closable = true;
  widget.addClass('spc-lab-log');
  return widget;
}
