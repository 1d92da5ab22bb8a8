// The JupyterLab (and Notebook 7) face of sparkconnect: a Spark sidebar, a status bar item,
// the server log and the Spark UI in tabs, and commands for all of it. Everything reads one
// long-poll of the server extension's state (feed.ts) and acts through its REST API.

import {
  ILayoutRestorer,
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IStatusBar } from '@jupyterlab/statusbar';
import { Widget } from '@lumino/widgets';

import { SparkController } from './controller';
import { StateFeed } from './feed';
import { sparkIcon } from './icon';
import { createLogTab } from './logtab';
import { StatusItem } from './statusitem';
import { createUiTab, framedUrl } from './uitab';
import { PanelView } from './view';

const SIDEBAR_ID = 'sparkconnect-sidebar';
const CATEGORY = 'Spark';

export const CommandIDs = {
  start: 'sparkconnect:start',
  stop: 'sparkconnect:stop',
  restart: 'sparkconnect:restart',
  openLog: 'sparkconnect:open-log',
  openUi: 'sparkconnect:open-ui',
  openSidebar: 'sparkconnect:open-sidebar'
};

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'sparkconnect-lab:plugin',
  description: 'The Spark sidebar, status bar item, log and Spark UI tabs of sparkconnect.',
  autoStart: true,
  optional: [ICommandPalette, IStatusBar, INotebookTracker, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    palette: ICommandPalette | null,
    statusBar: IStatusBar | null,
    tracker: INotebookTracker | null,
    restorer: ILayoutRestorer | null
  ) => {
    const feed = new StateFeed();
    let logTab: MainAreaWidget<Widget> | null = null;
    let uiTab: MainAreaWidget<Widget> | null = null;

    const show = (widget: MainAreaWidget<Widget>): void => {
      if (!widget.isAttached) {
        app.shell.add(widget, 'main');
      }
      app.shell.activateById(widget.id);
    };
    const openLog = (): void => {
      if (logTab === null || logTab.isDisposed) {
        logTab = createLogTab();
      }
      show(logTab);
    };
    const openUi = (): void => {
      if (framedUrl(feed.state) === null) {
        // Without the proxy the UI is on another port, which refuses to be framed.
        window.open(feed.state?.ui_url, '_blank', 'noopener');
        return;
      }
      if (uiTab === null || uiTab.isDisposed) {
        uiTab = createUiTab(feed);
      }
      show(uiTab);
    };
    const openNotebook = (path: string): void => {
      void app.commands.execute('docmanager:open', { path: treePath(path) });
    };

    const controller = new SparkController(feed, { openLog, openUi, openNotebook }, tracker);
    const sidebar = new PanelView(controller.model, visible => controller.setVisible(visible));
    sidebar.id = SIDEBAR_ID;
    sidebar.title.icon = sparkIcon;
    sidebar.title.caption = 'Spark';
    sidebar.addClass('spc-lab-sidebar');
    app.shell.add(sidebar, 'left', { rank: 600 });
    restorer?.add(sidebar, SIDEBAR_ID);

    const openSidebar = (): void => {
      app.shell.activateById(SIDEBAR_ID);
    };

    const running = (): boolean => feed.state?.state === 'running';
    const idle = (): boolean => !feed.state?.busy;
    app.commands.addCommand(CommandIDs.start, {
      label: 'Start the Spark server',
      caption: 'Launch the shared Spark Connect server with the saved conf',
      isEnabled: () => !running() && idle(),
      execute: () => controller.act('start')
    });
    app.commands.addCommand(CommandIDs.stop, {
      label: 'Stop the Spark server',
      caption: 'Stop the shared Spark Connect server (asks first when notebooks use it)',
      isEnabled: () => running() && idle(),
      execute: () => controller.confirmAndAct('stop')
    });
    app.commands.addCommand(CommandIDs.restart, {
      label: 'Restart the Spark server',
      caption: 'Stop the server and start it again with the saved conf',
      isEnabled: () => running() && idle(),
      execute: () => controller.confirmAndAct('restart')
    });
    app.commands.addCommand(CommandIDs.openLog, {
      label: 'Open the Spark server log',
      execute: openLog
    });
    app.commands.addCommand(CommandIDs.openUi, {
      label: 'Open the Spark UI',
      execute: openUi
    });
    app.commands.addCommand(CommandIDs.openSidebar, {
      label: 'Show the Spark sidebar',
      execute: openSidebar
    });
    if (palette) {
      for (const command of Object.values(CommandIDs)) {
        palette.addItem({ command, category: CATEGORY });
      }
    }
    feed.changed.connect(() => app.commands.notifyCommandChanged());

    if (statusBar) {
      statusBar.registerStatusItem('sparkconnect-lab:status', {
        item: new StatusItem(feed, openSidebar),
        align: 'left',
        rank: 4,
        priority: 1 // kept in a narrow window, where items of priority 0 are hidden
      });
    }

    feed.start();
  }
};

/** A notebook's path in the Jupyter server's tree. Kernels know their notebook by its path on
 * disk (JPY_SESSION_NAME): below the server's root, that is the same path from the root. */
function treePath(path: string): string {
  const root = PageConfig.getOption('serverRoot').replace(/\/+$/, '');
  if (root && path.startsWith(`${root}/`)) {
    return path.slice(root.length + 1);
  }
  return path;
}

export default plugin;
