// A Lumino widget that shows the shared view (panel.js) for a model of ours.

import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import panel from '../../python/sparkconnect/notebook/panel/panel.js';
import { ViewModel } from './model';

export class PanelView extends Widget {
  constructor(model: ViewModel, onVisible: (visible: boolean) => void = () => undefined) {
    super();
    this._model = model;
    this._onVisible = onVisible;
    this.addClass('spc-lab-view');
  }

  protected onAfterAttach(message: Message): void {
    super.onAfterAttach(message);
    if (this._undo === null) {
      this._undo = panel.render({ model: this._model, el: this.node });
    }
    // Lumino sends after-show only to a widget that was hidden before.
    if (this.isVisible) {
      this._onVisible(true);
    }
  }

  protected onAfterShow(message: Message): void {
    super.onAfterShow(message);
    this._onVisible(true);
  }

  protected onAfterHide(message: Message): void {
    super.onAfterHide(message);
    this._onVisible(false);
  }

  protected onBeforeDetach(message: Message): void {
    this._onVisible(false);
    super.onBeforeDetach(message);
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    this._onVisible(false);
    this._undo?.();
    this._undo = null;
    super.dispose();
  }

  private _model: ViewModel;
  private _onVisible: (visible: boolean) => void;
  private _undo: (() => void) | null = null;
}
