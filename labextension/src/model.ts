// The model the shared view (panel.js) renders from. In a notebook it is the widget model of
// `%spark panel`; here it is this small store, filled from the REST API: get/on/off read and
// watch values, send hands what the user did to whoever drives the view.

export type Listener = () => void;
export type Message = { type: string; [key: string]: any };

export class ViewModel {
  constructor(values: Record<string, unknown>, onMessage: (message: Message) => void) {
    for (const [name, value] of Object.entries(values)) {
      this._values.set(name, value);
    }
    this._onMessage = onMessage;
  }

  get(name: string): any {
    return this._values.get(name);
  }

  /** Set values and tell the view about those that changed. */
  set(values: Record<string, unknown>): void {
    const changed: string[] = [];
    for (const [name, value] of Object.entries(values)) {
      if (this._values.get(name) !== value) {
        this._values.set(name, value);
        changed.push(name);
      }
    }
    for (const name of changed) {
      for (const listener of [...(this._listeners.get(`change:${name}`) ?? [])]) {
        listener();
      }
    }
  }

  on(event: string, listener: Listener): void {
    const listeners = this._listeners.get(event) ?? new Set<Listener>();
    listeners.add(listener);
    this._listeners.set(event, listeners);
  }

  off(event: string, listener: Listener): void {
    this._listeners.get(event)?.delete(listener);
  }

  send(message: Message): void {
    this._onMessage(message);
  }

  private _values = new Map<string, unknown>();
  private _listeners = new Map<string, Set<Listener>>();
  private _onMessage: (message: Message) => void;
}
